"""`jobsearch serve` under load: many requests at once against the real command on 127.0.0.1.

Starts ``python -m jobsearch.cli serve`` (what ``jobsearch serve`` runs) on a free
loopback port over the sample index (``models/index`` from ``make repro``; without
it, one built here from the sample postings with the base model), warms it up,
then sends ``load_requests`` ``GET /search`` requests, ``load_concurrency`` at a
time, and reports throughput, p50/p95/p99 latency, errors, and the server's RSS
before and after. Bounded: a fixed number of requests, each with a timeout, all
within ``load_deadline_seconds``; the server is stopped whatever happens.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.settings import BenchSettings

HOST = "127.0.0.1"  # loopback only: the benchmark never listens beyond this machine
SAMPLE_INDEX = Path("models/index")
MAX_MEMORY_GROWTH = 0.05  # the service should not grow by more than this under load


def bench_load(settings: BenchSettings) -> dict[str, Any]:
    from benchmarks.serve import _sample

    with tempfile.TemporaryDirectory(prefix="jobsearch-load-") as scratch:
        index = SAMPLE_INDEX if (SAMPLE_INDEX / "index.json").is_file() else _build_sample_index(settings, Path(scratch) / "index")
        _, queries = _sample(settings.serve_postings, settings.load_queries)
        with _serving(index, Path(scratch) / "serve.log") as (url, pid):
            return {"index": str(index) if index == SAMPLE_INDEX else "sample postings, base model", **_load(url, pid, queries, settings)}


def _build_sample_index(settings: BenchSettings, folder: Path) -> Path:
    from benchmarks.serve import _sample
    from jobsearch.index import IndexParams, build_index
    from jobsearch.models import ModelParams
    from jobsearch.retrieval.rankers import RankerParams

    clean, _ = _sample(settings.serve_postings, 1)
    build_index(clean, settings.model, RankerParams(), IndexParams(), ModelParams(name=settings.model)).save(folder)
    return folder


class _serving:
    """``jobsearch serve --index INDEX`` on a free loopback port until the block ends; yields (url, pid)."""

    def __init__(self, index: Path, log: Path, start_timeout: float = 180.0) -> None:
        self.index, self.log, self.start_timeout = index, log, start_timeout

    def __enter__(self) -> tuple[str, int]:
        import httpx

        with socket.socket() as probe:
            probe.bind((HOST, 0))
            port = probe.getsockname()[1]
        command = [sys.executable, "-m", "jobsearch.cli", "serve", "--index", str(self.index), "--host", HOST, "--port", str(port)]
        with open(self.log, "w") as log:  # uvicorn's access lines go to stdout: dropped
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
        url, deadline = f"http://{HOST}:{port}", time.monotonic() + self.start_timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    return url, self.process.pid
            except httpx.TransportError:
                time.sleep(0.2)
        self.__exit__(None, None, None)
        said = " | ".join(self.log.read_text().strip().splitlines()[-3:])
        raise RuntimeError(f"jobsearch serve did not answer on {url} within {self.start_timeout:.0f} s ({said})")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def rss_mib(pid: int) -> float:
    """Resident memory of process ``pid`` now (Linux: VmRSS of /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _load(url: str, pid: int, queries: list[str], settings: BenchSettings) -> dict[str, Any]:
    import httpx

    local = threading.local()

    def client() -> httpx.Client:  # one keep-alive connection per worker thread
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=url, timeout=settings.load_request_timeout)
        return local.client

    deadline = time.monotonic() + settings.load_deadline_seconds

    def one(i: int) -> tuple[float, str | None]:
        if time.monotonic() > deadline:
            return 0.0, "not sent: past the deadline"
        start = time.perf_counter()
        try:
            response = client().get("/search", params={"q": queries[i % len(queries)], "k": 10})
            error = None if response.status_code == 200 else f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        return (time.perf_counter() - start) * 1000, error

    with ThreadPoolExecutor(settings.load_concurrency) as pool:
        list(pool.map(one, range(settings.load_warmup)))  # first-call allocations are not what a user waits for
        rss_before = rss_mib(pid)
        start = time.perf_counter()
        results = list(pool.map(one, range(settings.load_requests)))
        seconds = time.perf_counter() - start
        rss_after = rss_mib(pid)
    latencies = [ms for ms, error in results if error is None]
    errors = [error for _, error in results if error is not None]
    growth = rss_after / rss_before - 1
    return {
        "requests": settings.load_requests,
        "concurrency": settings.load_concurrency,
        "distinct_queries": len(set(queries)),
        "ok": len(latencies),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "seconds": round(seconds, 2),
        "requests_per_s": round(len(latencies) / seconds, 1),
        "p50_ms": round(float(np.percentile(latencies, 50)), 1) if latencies else None,
        "p95_ms": round(float(np.percentile(latencies, 95)), 1) if latencies else None,
        "p99_ms": round(float(np.percentile(latencies, 99)), 1) if latencies else None,
        "rss_before_mib": round(rss_before, 1),
        "rss_after_mib": round(rss_after, 1),
        "rss_growth": round(growth, 4),
        "passed": not errors and growth < MAX_MEMORY_GROWTH,
        "cpu_count": os.cpu_count(),
    }

"""Query generation with an LLM through the ``openai`` client.

Two backends, both driven by :class:`jobsearch.queries.QueryParams`:

* ``openai-batch``: the OpenAI Batch API (half the price, answers within 24 h).
  Requests are written as JSONL, uploaded, submitted as a batch whose id is saved
  at once in ``batch_state.json``; the batch is polled with backoff, its output and
  error files are downloaded, and failed or missing requests are sent again in a
  follow-up batch (up to ``max_retries`` times). A run that is interrupted and run
  again resumes the recorded batch instead of paying for a second one.
* ``openai``: synchronous chat completions with bounded concurrency and retries on
  429 / 5xx / connection errors, for OpenAI itself or any OpenAI-compatible server
  (vLLM, Ollama, llama.cpp) via ``queries.base_url`` or ``OPENAI_BASE_URL``.

Every usable answer goes into an append-only JSONL cache under ``cache_dir`` as
soon as it arrives, keyed by (posting text, prompt template, model, temperature):
added postings cost only their own requests and a rerun with nothing changed sends
nothing (and needs no API key).

The API key is read from ``OPENAI_API_KEY`` only and lives in memory only; it is
never written to the cache, the state file, logs or metrics.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import random
import re
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit, urlunsplit

import pandas as pd

from jobsearch.errors import ConfigError, DataError, JobsearchError
from jobsearch.io import require_columns
from jobsearch.queries import QueryParams

Log = Callable[[str], None]

CACHE_FILE = "queries.jsonl"
STATE_FILE = "batch_state.json"
CACHE_VERSION = "v1"
BATCH_ENDPOINT = "/v1/chat/completions"
BATCH_DISCOUNT = 0.5  # the Batch API bills half the synchronous price
BATCH_MAX_REQUESTS = 50_000  # OpenAI's per-batch request limit
BATCH_MAX_BYTES = 150 * 1024 * 1024  # below the 200 MB input-file limit
NO_KEY_PLACEHOLDER = "not-needed"  # local servers accept any key
TERMINAL_STATUSES = ("completed", "failed", "expired", "cancelled")


# --------------------------------------------------------------------------- cleaning

_FENCE_LINE = re.compile(r"^\s*```[\w-]*\s*$", re.MULTILINE)
_PREFIX = re.compile(
    r"^(?:here(?:'s|\s+is)\b[^:\n]{0,60}"
    r"|(?:(?:job|suggested|final|your|the)\s+)?(?:job\s+)?(?:search\s+)?query"
    r"|answer|output)\s*:\s*",
    re.IGNORECASE,
)
_EDGE_CHARS = "\"'`“”‘’«»„*_ \t\n"
_BULLET = re.compile(r"^(?:[-•*]\s+)")


def clean_llm_query(text: str | None, max_chars: int) -> str | None:
    """The query in an LLM answer, or None when there is no usable one.

    Strips code fences, markdown bold and backticks, surrounding quotes, prefixes
    such as "Query:" or "Search query:", keeps the first line and collapses
    whitespace. Empty or longer than ``max_chars`` -> None.
    """
    if not isinstance(text, str):
        return None
    s = _FENCE_LINE.sub("", text.replace("\r", "\n"))
    s = s.replace("**", "").replace("__", "").replace("`", "")
    s = _strip_wrapping(s)  # may remove a prefix that sits on its own line
    first = next((line for line in s.split("\n") if line.strip()), "")
    s = " ".join(_strip_wrapping(first).split())
    if not s or len(s) > max_chars:
        return None
    return s


def _strip_wrapping(s: str) -> str:
    while True:
        before = s
        s = s.strip(_EDGE_CHARS)
        s = _PREFIX.sub("", s, count=1)
        s = _BULLET.sub("", s, count=1)
        if s == before:
            return s


# --------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class _Request:
    key: str  # cache key
    custom_id: str  # posting id of the first posting with this text
    prompt: str


def request_key(title: str, description: str, params: QueryParams) -> str:
    """Cache key: sha256 of the posting text, the prompt template, model and temperature."""
    payload = json.dumps(
        [CACHE_VERSION, title, description, params.prompt, params.model, float(params.temperature)],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def render_prompt(template: str, title: str, description: str) -> str:
    try:
        return template.format_map({"title": title, "description": description})
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(
            f"queries.prompt: cannot fill the template ({type(exc).__name__}: {exc}); "
            "use {title} and {description} and double any other braces"
        ) from None


def _build_requests(postings: pd.DataFrame, params: QueryParams) -> tuple[list[str], dict[str, _Request]]:
    """Cache key per posting (in order) and one request per distinct key."""
    require_columns(postings.columns, ["posting_id", "title", "description"], "postings")
    ids = postings["posting_id"]
    dup = ids[ids.duplicated()]
    if len(dup):
        raise DataError(f"postings: posting_id {dup.iloc[0]!r} occurs more than once")
    render_prompt(params.prompt, "", "")  # fail on a broken template before any work
    keys: list[str] = []
    requests: dict[str, _Request] = {}
    for pid, title, desc in zip(ids, postings["title"], postings["description"]):
        title = "" if pd.isna(title) else str(title)
        desc = "" if pd.isna(desc) else str(desc)
        key = request_key(title, desc, params)
        keys.append(key)
        if key not in requests:
            requests[key] = _Request(key, str(pid), render_prompt(params.prompt, title, desc))
    return keys, requests


def _chat_body(request: _Request, params: QueryParams, token_field: str) -> dict[str, Any]:
    return {
        "model": params.model,
        "messages": [{"role": "user", "content": request.prompt}],
        "temperature": params.temperature,
        token_field: params.max_output_tokens,
    }


# --------------------------------------------------------------------------- cache


class QueryCache:
    """Append-only JSONL of answered requests: crash-safe, one line per answer.

    A line cut short by a crash is skipped on reading; later lines for the same
    key win.
    """

    def __init__(self, cache_dir: str | os.PathLike):
        self.path = Path(cache_dir) / CACHE_FILE
        self._lock = threading.Lock()
        self.entries: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            with self.path.open("r", encoding="utf-8") as fh:
                for line in fh:
                    try:
                        entry = json.loads(line)
                        self.entries[entry["key"]] = entry
                    except (json.JSONDecodeError, KeyError, TypeError):
                        continue

    def query(self, key: str, max_chars: int) -> str | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        q = entry.get("query")
        # a cached answer longer than the current limit does not count as an answer
        return q if isinstance(q, str) and q and len(q) <= max_chars else None

    def add(self, entries: Iterable[dict[str, Any]]) -> None:
        entries = list(entries)
        if not entries:
            return
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("ab") as fh:
                if fh.tell() > 0 and not _ends_with_newline(self.path):
                    fh.write(b"\n")  # a previous crash cut the last line short
                for entry in entries:
                    fh.write((json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())
            for entry in entries:
                self.entries[entry["key"]] = entry


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) == b"\n"


def _cache_entry(request: _Request, query: str, model: str, usage: dict[str, int]) -> dict[str, Any]:
    return {
        "key": request.key,
        "posting_id": request.custom_id,
        "query": query,
        "model": model,
        "prompt_tokens": usage.get("prompt_tokens", 0),
        "completion_tokens": usage.get("completion_tokens", 0),
        "created": int(time.time()),
    }


# --------------------------------------------------------------------------- client


def build_client(params: QueryParams) -> Any:
    """An ``openai.OpenAI`` client from the environment (key from OPENAI_API_KEY only)."""
    import openai

    key = os.environ.get("OPENAI_API_KEY") or None
    base_url = params.base_url or os.environ.get("OPENAI_BASE_URL") or None
    if key is None and base_url is None:
        raise JobsearchError(
            "OPENAI_API_KEY is not set: export it for queries.backend="
            f"{params.backend}, point queries.base_url (or OPENAI_BASE_URL) at an "
            "OpenAI-compatible server, or use queries.backend=offline"
        )
    return openai.OpenAI(
        api_key=key or NO_KEY_PLACEHOLDER,
        base_url=base_url,
        max_retries=0,  # retries are ours, so they are counted and logged
        timeout=params.request_timeout,
    )


def _server_label(client: Any) -> str:
    """The client's base URL without any user:password part, for log lines."""
    parts = urlsplit(str(getattr(client, "base_url", "")))
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", "")).rstrip("/")


def _token_field(client: Any) -> str:
    # OpenAI's newer models only accept max_completion_tokens; compatible servers
    # (vLLM, Ollama, llama.cpp) all understand the older max_tokens.
    host = urlsplit(str(getattr(client, "base_url", ""))).hostname or ""
    return "max_completion_tokens" if host.endswith("openai.com") else "max_tokens"


class _Redactor:
    """Removes the API key from any text that may reach a log line or an error."""

    def __init__(self, client: Any):
        key = getattr(client, "api_key", None)
        self.key = key if isinstance(key, str) and len(key) >= 8 else None

    def __call__(self, text: str) -> str:
        text = " ".join(str(text).split())[:300]
        return text.replace(self.key, "[key]") if self.key else text


# --------------------------------------------------------------------------- errors and retries


def _status(exc: BaseException) -> int | None:
    return getattr(exc, "status_code", None)


def _is_transient(exc: BaseException) -> bool:
    import openai

    if isinstance(exc, openai.APIConnectionError):  # includes timeouts
        return True
    status = _status(exc)
    return isinstance(exc, openai.APIStatusError) and status is not None and (status in (408, 409, 429) or status >= 500)


def _is_fatal(exc: BaseException) -> bool:
    """Errors no retry can fix and that concern every request: bad key, wrong URL or model."""
    return _status(exc) in (401, 403, 404)


def _retry_after(exc: BaseException) -> float | None:
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    try:
        if "retry-after-ms" in headers:
            return float(headers["retry-after-ms"]) / 1000
        if "retry-after" in headers:
            return float(headers["retry-after"])
    except ValueError:
        return None
    return None


def _backoff(attempt: int, params: QueryParams, exc: BaseException | None = None) -> float:
    """Exponential backoff with jitter for retries of single API calls."""
    first = params.retry_delay
    cap = max(first, min(60.0, params.max_poll_interval))
    delay = min(cap, first * 2**attempt) * (1 + 0.25 * random.random())
    hint = _retry_after(exc) if exc is not None else None
    if hint is not None:
        delay = max(delay, min(hint, cap))
    return delay


def _describe(exc: BaseException, redact: _Redactor) -> str:
    status = _status(exc)
    body = getattr(exc, "body", None)
    message = body.get("message") if isinstance(body, dict) else None
    message = message or getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return redact(f"{status} {message}" if status else f"{type(exc).__name__}: {message}")


def _format_seconds(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.2g} s"


# --------------------------------------------------------------------------- metrics


@dataclass
class _Tally:
    backend: str
    model: str
    postings: int = 0
    unique_requests: int = 0
    requests_sent: int = 0
    cached: int = 0
    failed: int = 0
    retried: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    batches_submitted: int = 0
    batches_resumed: int = 0
    last_error: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_usage(self, usage: dict[str, int]) -> None:
        with self._lock:
            self.prompt_tokens += int(usage.get("prompt_tokens") or 0)
            self.completion_tokens += int(usage.get("completion_tokens") or 0)

    def bump(self, name: str, n: int = 1) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + n)

    def metrics(self, prices: dict[str, dict[str, float]]) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "model": self.model,
            "postings": self.postings,
            "unique_requests": self.unique_requests,
            "requests_sent": self.requests_sent,
            "cached": self.cached,
            "failed": self.failed,
            "retried": self.retried,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "estimated_cost_usd": estimate_cost(
                self.model, prices, self.prompt_tokens, self.completion_tokens, batch=self.backend == "openai-batch"
            ),
            "batches_submitted": self.batches_submitted,
            "batches_resumed": self.batches_resumed,
        }


def estimate_cost(
    model: str, prices: dict[str, dict[str, float]], prompt_tokens: int, completion_tokens: int, *, batch: bool
) -> float | None:
    """USD from a per-1M-token price table; None for a model not in the table.

    A dated model name (``gpt-4o-mini-2024-07-18``) uses the longest matching entry.
    """
    price = prices.get(model)
    if price is None:
        matches = [name for name in prices if model.startswith(name)]
        price = prices[max(matches, key=len)] if matches else None
    if price is None:
        return None
    cost = (prompt_tokens * price.get("input", 0.0) + completion_tokens * price.get("output", 0.0)) / 1e6
    return round(cost * (BATCH_DISCOUNT if batch else 1.0), 6)


# --------------------------------------------------------------------------- entry point


def generate_llm_queries(
    postings: pd.DataFrame,
    params: QueryParams,
    *,
    client: Any = None,
    state_dir: Path | None = None,
    log: Log = print,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One query per posting from an LLM: a frame ``posting_id, query`` and metrics.

    ``postings`` has ``posting_id, title, description``. Answers come from the cache
    when present; the rest are sent with ``params.backend`` (``openai`` or
    ``openai-batch``). ``client`` defaults to :func:`build_client`, built only when
    something must be sent. If some postings end without a usable query, raises
    :class:`JobsearchError` after everything received has been cached (the error
    carries ``.metrics``); running again sends only the missing requests.
    """
    if params.backend not in ("openai", "openai-batch"):
        raise ConfigError(f"queries.backend={params.backend} is not an LLM backend (use openai or openai-batch)")
    keys, requests = _build_requests(postings, params)
    cache_dir = Path(params.cache_dir)
    state_dir = Path(state_dir) if state_dir is not None else cache_dir
    cache = QueryCache(cache_dir)
    tally = _Tally(params.backend, params.model, postings=len(keys), unique_requests=len(requests))

    pending = [r for r in requests.values() if cache.query(r.key, params.max_query_chars) is None]
    tally.cached = len(requests) - len(pending)
    has_batch_state = params.backend == "openai-batch" and (state_dir / STATE_FILE).exists()
    log(f"queries ({params.backend}, {params.model}): {len(requests)} distinct postings, "
        f"{tally.cached} cached, {len(pending)} to send")

    if not pending and has_batch_state and client is None:
        # nothing to send; batches left by an earlier run are only worth a look with a key at hand
        try:
            client = build_client(params)
        except JobsearchError:
            has_batch_state = False
    if pending or has_batch_state:
        client = client if client is not None else build_client(params)
        if params.backend == "openai":
            _run_sync(client, pending, params, cache, tally, log)
        else:
            _BatchRunner(client, requests, params, cache, state_dir, tally, log).run()

    queries = [cache.query(k, params.max_query_chars) for k in keys]
    metrics = tally.metrics(params.prices)
    missing = sum(q is None for q in queries)
    if missing:
        reason = f" (last error: {tally.last_error})" if tally.last_error else ""
        error = JobsearchError(
            f"{missing} of {len(keys)} postings got no usable query from {params.model}{reason}; "
            f"the {len(keys) - missing} answers received are saved in {cache.path}, "
            "so running the stage again sends only the missing requests"
        )
        error.metrics = metrics  # type: ignore[attr-defined]
        raise error
    frame = pd.DataFrame({"posting_id": postings["posting_id"].reset_index(drop=True), "query": pd.Series(queries)})
    log(f"queries: done; {tally.requests_sent} requests sent, {tally.cached} cached, "
        f"{tally.failed} failed attempts, {tally.retried} retried, "
        f"{tally.prompt_tokens}+{tally.completion_tokens} tokens")
    return frame, metrics


# --------------------------------------------------------------------------- synchronous backend


def _run_sync(
    client: Any, pending: list[_Request], params: QueryParams, cache: QueryCache, tally: _Tally, log: Log
) -> None:
    if not pending:
        return
    from tqdm.auto import tqdm

    redact = _Redactor(client)
    token_field = _token_field(client)
    abort = threading.Event()
    log(f"sending {len(pending)} chat completions to {_server_label(client)} "
        f"({params.concurrency} at a time, up to {params.max_retries} retries each)")

    def answer(request: _Request) -> bool:
        body = _chat_body(request, params, token_field)
        for attempt in range(params.max_retries + 1):
            if abort.is_set():
                return False
            if attempt:
                tally.bump("retried")
            tally.bump("requests_sent")
            try:
                response = client.chat.completions.create(**body)
            except Exception as exc:  # openai raises several types; sorted below
                tally.bump("failed")
                tally.last_error = _describe(exc, redact)
                if _is_fatal(exc):
                    abort.set()
                    raise JobsearchError(
                        f"{_server_label(client)} refused chat completions for model {params.model}: "
                        f"{tally.last_error}"
                    ) from None
                if not _is_transient(exc) or attempt == params.max_retries:
                    return False
                time.sleep(_backoff(attempt, params, exc))
                continue
            usage = _usage(getattr(response, "usage", None))
            tally.add_usage(usage)
            text = _content(response)
            query = clean_llm_query(text, params.max_query_chars)
            if query is None:
                tally.bump("failed")
                tally.last_error = f"unusable answer {redact(repr(text))[:80]}"
                continue
            cache.add([_cache_entry(request, query, params.model, usage)])
            return True
        return False

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, params.concurrency))
    try:
        futures = [pool.submit(answer, r) for r in pending]
        with tqdm(total=len(futures), desc="queries", unit="req", disable=None) as bar:
            for future in concurrent.futures.as_completed(futures):
                future.result()  # re-raises a fatal JobsearchError
                bar.update(1)
    except BaseException:
        abort.set()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _usage(usage: Any) -> dict[str, int]:
    if usage is None:
        return {}
    if isinstance(usage, dict):
        get = usage.get
    else:
        def get(name: str) -> Any:
            return getattr(usage, name, None)
    return {"prompt_tokens": int(get("prompt_tokens") or 0), "completion_tokens": int(get("completion_tokens") or 0)}


def _content(response: Any) -> str | None:
    try:
        content = response.choices[0].message.content
    except (AttributeError, IndexError, TypeError):
        return None
    return content if isinstance(content, str) else None


# --------------------------------------------------------------------------- batch backend


class _BatchRunner:
    """Submits, resumes, polls and collects Batch API jobs for the pending requests.

    ``batch_state.json`` lists the batches in flight with their custom_id -> cache
    key map; it is written (fsync + rename) right after each batch is created and
    before any polling, and an entry is removed only after its answers are cached.
    """

    def __init__(
        self,
        client: Any,
        requests: dict[str, _Request],
        params: QueryParams,
        cache: QueryCache,
        state_dir: Path,
        tally: _Tally,
        log: Log,
    ):
        self.client = client
        self.requests = requests
        self.params = params
        self.cache = cache
        self.state_dir = state_dir
        self.state_path = state_dir / STATE_FILE
        self.tally = tally
        self.log = log
        self.redact = _Redactor(client)
        self.attempted: set[str] = set()  # keys sent at least once (this run or the resumed one)

    # ---- state file

    def _load_state(self) -> list[dict[str, Any]]:
        if not self.state_path.exists():
            return []
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
            batches = data["batches"]
            for b in batches:
                assert isinstance(b["id"], str) and isinstance(b["requests"], dict)
            return batches
        except (json.JSONDecodeError, KeyError, TypeError, AssertionError):
            self.log(f"{self.state_path}: unreadable batch state, ignoring it")
            return []

    def _save_state(self, batches: list[dict[str, Any]]) -> None:
        if not batches:
            self.state_path.unlink(missing_ok=True)
            return
        _write_durably(self.state_path, json.dumps({"version": 1, "batches": batches}, indent=1))

    # ---- main loop

    def _pending(self) -> list[_Request]:
        limit = self.params.max_query_chars
        return [r for r in self.requests.values() if self.cache.query(r.key, limit) is None]

    def run(self) -> None:
        active = self._resume()
        rounds = 0
        while True:
            if active:
                self._poll(active)
                active = []
            pending = self._pending()
            if not pending or rounds > self.params.max_retries:
                return
            again = sum(r.key in self.attempted for r in pending)
            if again:
                self.tally.bump("retried", again)
                self.log(f"sending {again} failed or missing requests again in a new batch")
            active = self._submit(pending)
            rounds += 1

    def _resume(self) -> list[dict[str, Any]]:
        """Batches from an earlier run: keep those that still answer a pending request."""
        recorded = self._load_state()
        if not recorded:
            return []
        pending = {r.key for r in self._pending()}
        keep, stale = [], []
        for b in recorded:
            (keep if pending & set(b["requests"].values()) else stale).append(b)
        for b in stale:
            # nothing here is needed now; collect it if it is already done (it was paid for)
            batch = self._retrieve(b["id"], quiet=True)
            if batch is not None and batch.status in TERMINAL_STATUSES:
                self._collect(b, batch)
            else:
                self.log(f"batch {b['id']} from an earlier run asks for nothing needed now; not waiting for it")
            self._drop_input_file(b)
        for b in keep:
            self.log(f"resuming batch {b['id']} submitted by an earlier run ({len(b['requests'])} requests)")
            self.attempted.update(b["requests"].values())
        self.tally.bump("batches_resumed", len(keep))
        self._save_state(keep)
        return keep

    # ---- submit

    def _submit(self, pending: list[_Request]) -> list[dict[str, Any]]:
        token_field = "max_completion_tokens"  # the Batch API is OpenAI's own
        chunks: list[list[bytes]] = [[]]
        size = 0
        max_requests = self.params.batch_max_requests
        lines: dict[int, list[_Request]] = {0: []}
        for request in pending:
            line = json.dumps(
                {
                    "custom_id": request.custom_id,
                    "method": "POST",
                    "url": BATCH_ENDPOINT,
                    "body": _chat_body(request, self.params, token_field),
                },
                ensure_ascii=False,
            ).encode("utf-8") + b"\n"
            if chunks[-1] and (len(chunks[-1]) >= max_requests or size + len(line) > BATCH_MAX_BYTES):
                chunks.append([])
                lines[len(chunks) - 1] = []
                size = 0
            chunks[-1].append(line)
            lines[len(chunks) - 1].append(request)
            size += len(line)

        active = self._load_state()
        submitted = []
        for i, chunk in enumerate(chunks):
            self.state_dir.mkdir(parents=True, exist_ok=True)
            input_path = self.state_dir / f"batch_input_{uuid.uuid4().hex[:12]}.jsonl"
            _write_durably(input_path, b"".join(chunk))
            with input_path.open("rb") as fh:
                uploaded = self._call("upload the batch input file", lambda: self.client.files.create(
                    file=(input_path.name, fh, "application/jsonl"), purpose="batch"))
            batch = self._call("create the batch", lambda: self.client.batches.create(
                input_file_id=uploaded.id,
                endpoint=BATCH_ENDPOINT,
                completion_window="24h",
                metadata={"source": "jobsearch queries"},
            ))
            record = {
                "id": batch.id,
                "input_file_id": uploaded.id,
                "input_path": input_path.name,
                "model": self.params.model,
                "submitted_at": int(time.time()),
                "requests": {r.custom_id: r.key for r in lines[i]},
            }
            active.append(record)
            self._save_state(active)  # before any polling: a rerun resumes this batch
            submitted.append(record)
            self.attempted.update(record["requests"].values())
            self.tally.bump("batches_submitted")
            self.tally.bump("requests_sent", len(chunk))
            self.log(f"submitted batch {batch.id} with {len(chunk)} requests (saved in {self.state_path})")
        return submitted

    # ---- poll

    def _poll(self, records: list[dict[str, Any]]) -> None:
        interval = float(self.params.poll_interval)
        waiting = list(records)
        failures = 0
        try:
            while waiting:
                still = []
                for record in waiting:
                    batch = self._retrieve(record["id"])
                    if batch is None:
                        failures += 1
                        if failures > max(3, self.params.max_retries):
                            raise JobsearchError(
                                f"lost contact with the API while polling batch {record['id']} "
                                f"({self.tally.last_error}); its id is saved in {self.state_path}: "
                                "run the stage again to resume it"
                            )
                        still.append(record)
                        continue
                    failures = 0
                    if batch.status in TERMINAL_STATUSES:
                        self.log(f"batch {batch.id}: {self._progress(batch)}")
                        self._collect(record, batch)
                    else:
                        still.append(record)
                        self.log(f"batch {batch.id}: {self._progress(batch)}; "
                                 f"next check in {_format_seconds(interval)}")
                waiting = still
                if waiting:
                    time.sleep(interval)
                    interval = min(interval * 2, float(self.params.max_poll_interval))
        except KeyboardInterrupt:
            self.log(f"interrupted; batch ids are saved in {self.state_path}, running again resumes them")
            raise

    @staticmethod
    def _progress(batch: Any) -> str:
        counts = getattr(batch, "request_counts", None)
        if counts is None:
            return batch.status
        return f"{batch.status} {counts.completed}/{counts.total} done, {counts.failed} failed"

    def _retrieve(self, batch_id: str, quiet: bool = False) -> Any:
        import openai

        try:
            return self.client.batches.retrieve(batch_id)
        except openai.NotFoundError:
            self.tally.last_error = f"batch {batch_id} not found"
            if not quiet:
                self.log(f"batch {batch_id} no longer exists on the server; its requests will be sent again")
            self._forget(batch_id)
            # an unknown batch behaves as a failed one with no output
            return _GoneBatch(batch_id)
        except Exception as exc:
            if _is_fatal(exc):
                raise JobsearchError(f"{_server_label(self.client)}: {_describe(exc, self.redact)}") from None
            if not _is_transient(exc):
                raise JobsearchError(
                    f"polling batch {batch_id} failed: {_describe(exc, self.redact)}; "
                    f"its id is saved in {self.state_path}: run the stage again to resume it"
                ) from None
            self.tally.last_error = _describe(exc, self.redact)
            if not quiet:
                self.log(f"batch {batch_id}: check failed ({self.tally.last_error}); trying again")
            return None

    # ---- collect

    def _collect(self, record: dict[str, Any], batch: Any) -> None:
        """Cache every usable answer of a finished batch, then forget the batch."""
        by_custom_id = record["requests"]
        answered: set[str] = set()
        entries = []
        errors = 0
        unusable = 0
        for line in self._download(getattr(batch, "output_file_id", None), "output"):
            cid = line.get("custom_id")
            if cid not in by_custom_id:
                continue
            response = line.get("response") or {}
            body = response.get("body") or {}
            if line.get("error") or response.get("status_code") != 200:
                errors += 1
                self.tally.last_error = self._line_error(line)
                continue
            usage = _usage(body.get("usage"))
            self.tally.add_usage(usage)
            text = _body_content(body)
            query = clean_llm_query(text, self.params.max_query_chars)
            if query is None:
                unusable += 1
                self.tally.last_error = f"unusable answer {self.redact(repr(text))[:80]}"
                continue
            key = by_custom_id[cid]
            request = self.requests.get(key) or _Request(key, cid, "")
            entries.append(_cache_entry(request, query, self.params.model, usage))
            answered.add(cid)
        self.cache.add(entries)  # stored before the batch is forgotten: paid work is kept

        for line in self._download(getattr(batch, "error_file_id", None), "error"):
            if line.get("custom_id") in by_custom_id and line.get("custom_id") not in answered:
                errors += 1
                self.tally.last_error = self._line_error(line)
        if batch.status == "failed":
            reasons = [e.message for e in (getattr(getattr(batch, "errors", None), "data", None) or []) if e.message]
            if reasons:
                self.tally.last_error = self.redact(f"batch failed: {reasons[0]}")
        missing = len(by_custom_id) - len(answered) - errors - unusable
        not_answered = len(by_custom_id) - len(answered)
        self.tally.bump("failed", not_answered)
        self.log(f"batch {batch.id} {batch.status}: {len(answered)} answers cached, {errors} failed, "
                 f"{max(0, missing)} missing, {unusable} unusable")
        self._forget(batch.id)
        self._drop_input_file(record)

    def _download(self, file_id: str | None, what: str) -> list[dict[str, Any]]:
        if not file_id:
            return []
        try:
            content = self._call(f"download the {what} file", lambda: self.client.files.content(file_id))
        except JobsearchError as exc:
            # lose nothing else: treat its requests as missing, they are sent again
            self.tally.last_error = str(exc)
            self.log(f"could not download {what} file {file_id} ({exc}); its requests count as missing")
            return []
        text = content.content.decode("utf-8", errors="replace")
        lines = []
        for raw in text.splitlines():
            if raw.strip():
                try:
                    lines.append(json.loads(raw))
                except json.JSONDecodeError:
                    continue
        return lines

    def _line_error(self, line: dict[str, Any]) -> str:
        error = line.get("error") or ((line.get("response") or {}).get("body") or {}).get("error") or {}
        status = (line.get("response") or {}).get("status_code")
        message = error.get("message") if isinstance(error, dict) else str(error)
        return self.redact(f"{status or ''} {message or 'request failed'}".strip())

    def _forget(self, batch_id: str) -> None:
        self._save_state([b for b in self._load_state() if b["id"] != batch_id])

    def _drop_input_file(self, record: dict[str, Any]) -> None:
        name = record.get("input_path")
        if name:
            (self.state_dir / Path(name).name).unlink(missing_ok=True)

    # ---- calls

    def _call(self, what: str, fn: Callable[[], Any]) -> Any:
        """One API call with backoff on transient errors; anything else is one clear line."""
        import openai

        for attempt in range(self.params.max_retries + 1):
            try:
                return fn()
            except Exception as exc:
                if not isinstance(exc, openai.OpenAIError):
                    raise
                detail = _describe(exc, self.redact)
                self.tally.last_error = detail
                if isinstance(exc, openai.NotFoundError) and what.startswith("upload"):
                    raise JobsearchError(
                        f"{_server_label(self.client)} has no Files/Batch API ({detail}); "
                        "use queries.backend=openai for OpenAI-compatible servers"
                    ) from None
                if _is_transient(exc) and attempt < self.params.max_retries:
                    delay = _backoff(attempt, self.params, exc)
                    self.log(f"could not {what} ({detail}); retrying in {_format_seconds(delay)}")
                    time.sleep(delay)
                    continue
                raise JobsearchError(f"could not {what}: {detail}") from None
        raise AssertionError("unreachable")


@dataclass
class _GoneBatch:
    """Stands in for a batch the server no longer knows: failed, no output."""

    id: str
    status: str = "failed"
    output_file_id: str | None = None
    error_file_id: str | None = None
    request_counts: Any = None
    errors: Any = None


def _body_content(body: dict[str, Any]) -> str | None:
    try:
        content = body["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        return None
    return content if isinstance(content, str) else None


def _write_durably(path: Path, data: str | bytes) -> None:
    """Write via a temporary sibling, fsync, rename: the file is old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)

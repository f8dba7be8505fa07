"""The ``openai-batch`` backend: queries from the OpenAI Batch API (half the price, answers within 24 h).

Requests are written as JSONL, uploaded, submitted as a batch whose id is saved at once in
``batch_state.json`` (:class:`~jobsearch.queries.cache.BatchState`); the batch is polled with
backoff, its output and error files are downloaded, and failed or missing requests are sent
again in a follow-up batch (up to ``max_retries`` times). A run that is interrupted and run
again resumes the recorded batch instead of paying for a second one.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from jobsearch.errors import JobsearchError
from jobsearch.queries.api import (
    Log, Redactor, backoff, build_client, describe, format_seconds, is_fatal, is_transient, server_label, token_usage,
)
from jobsearch.queries.cache import BatchState, write_durably
from jobsearch.queries.llm import LLMRequest, LLMRun, cache_entry, chat_body, clean_llm_query
from jobsearch.queries.params import QueriesParams

BATCH_ENDPOINT = "/v1/chat/completions"
BATCH_MAX_BYTES = 150 * 1024 * 1024  # below the 200 MB input-file limit
TERMINAL_STATUSES = ("completed", "failed", "expired", "cancelled")


def batch_queries(postings: pd.DataFrame, params: QueriesParams, *, log: Log = print) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One query per posting from the Batch API: see :meth:`~jobsearch.queries.llm.LLMRun.finish`."""
    run = LLMRun.start(postings, params, log, batch=True)
    state = BatchState(Path(params.cache_dir), log)
    client = _client_if_needed(run, state)
    if client is not None:
        _BatchRunner(client, run, state).run()
    return run.finish()


def _client_if_needed(run: LLMRun, state: BatchState) -> Any:
    """A client when there is something to send or an earlier run left batches behind, else None."""
    if run.pending():
        return build_client(run.params)
    if not state.path.exists():
        return None
    # nothing to send; batches left by an earlier run are only worth a look with a key at hand
    try:
        return build_client(run.params)
    except JobsearchError:
        return None


class _BatchRunner:
    """Submits, resumes, polls and collects Batch API jobs for the pending requests of a run."""

    def __init__(self, client: Any, run: LLMRun, state: BatchState):
        self.client = client
        self.requests = run.requests
        self.pending = run.pending
        self.params = run.params
        self.cache = run.cache
        self.tally = run.tally
        self.log = run.log
        self.state = state
        self.redact = Redactor(client)
        self.attempted: set[str] = set()  # keys sent at least once (this run or the resumed one)

    # ---- main loop

    def run(self) -> None:
        active = self._resume()
        rounds = 0
        while True:
            if active:
                self._poll(active)
                active = []
            pending = self.pending()
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
        recorded = self.state.load()
        if not recorded:
            return []
        pending = {r.key for r in self.pending()}
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
        self.state.save(keep)
        return keep

    # ---- submit

    def _submit(self, pending: list[LLMRequest]) -> list[dict[str, Any]]:
        token_field = "max_completion_tokens"  # the Batch API is OpenAI's own
        chunks: list[list[bytes]] = [[]]
        size = 0
        max_requests = self.params.batch_max_requests
        lines: dict[int, list[LLMRequest]] = {0: []}
        for request in pending:
            line = json.dumps(
                {
                    "custom_id": request.custom_id,
                    "method": "POST",
                    "url": BATCH_ENDPOINT,
                    "body": chat_body(request, self.params, token_field),
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

        active = self.state.load()
        submitted = []
        for i, chunk in enumerate(chunks):
            input_path = self.state.directory / f"batch_input_{uuid.uuid4().hex[:12]}.jsonl"
            write_durably(input_path, b"".join(chunk))
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
            self.state.save(active)  # before any polling: a rerun resumes this batch
            submitted.append(record)
            self.attempted.update(record["requests"].values())
            self.tally.bump("batches_submitted")
            self.tally.bump("requests_sent", len(chunk))
            self.log(f"submitted batch {batch.id} with {len(chunk)} requests (saved in {self.state.path})")
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
                                f"({self.tally.last_error}); its id is saved in {self.state.path}: "
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
                                 f"next check in {format_seconds(interval)}")
                waiting = still
                if waiting:
                    time.sleep(interval)
                    interval = min(interval * 2, float(self.params.max_poll_interval))
        except KeyboardInterrupt:
            self.log(f"interrupted; batch ids are saved in {self.state.path}, running again resumes them")
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
            self.state.forget(batch_id)
            # an unknown batch behaves as a failed one with no output
            return _GoneBatch(batch_id)
        except Exception as exc:
            if is_fatal(exc):
                raise JobsearchError(f"{server_label(self.client)}: {describe(exc, self.redact)}") from None
            if not is_transient(exc):
                raise JobsearchError(
                    f"polling batch {batch_id} failed: {describe(exc, self.redact)}; "
                    f"its id is saved in {self.state.path}: run the stage again to resume it"
                ) from None
            self.tally.last_error = describe(exc, self.redact)
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
            usage = token_usage(body.get("usage"))
            self.tally.add_usage(usage)
            text = _body_content(body)
            query = clean_llm_query(text, self.params.max_query_chars)
            if query is None:
                unusable += 1
                self.tally.last_error = f"unusable answer {self.redact(repr(text))[:80]}"
                continue
            key = by_custom_id[cid]
            request = self.requests.get(key) or LLMRequest(key, cid, "")
            entries.append(cache_entry(request, query, self.params.model, usage))
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
        self.state.forget(batch.id)
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

    def _drop_input_file(self, record: dict[str, Any]) -> None:
        name = record.get("input_path")
        if name:
            (self.state.directory / Path(name).name).unlink(missing_ok=True)

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
                detail = describe(exc, self.redact)
                self.tally.last_error = detail
                if isinstance(exc, openai.NotFoundError) and what.startswith("upload"):
                    raise JobsearchError(
                        f"{server_label(self.client)} has no Files/Batch API ({detail}); "
                        "use queries.backend=openai for OpenAI-compatible servers"
                    ) from None
                if is_transient(exc) and attempt < self.params.max_retries:
                    delay = backoff(attempt, self.params, exc)
                    self.log(f"could not {what} ({detail}); retrying in {format_seconds(delay)}")
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

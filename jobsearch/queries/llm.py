"""Queries from an LLM through the ``openai`` client: what both LLM backends share, and the
synchronous one.

* ``openai`` (:func:`chat_queries`): synchronous chat completions with bounded concurrency
  and retries on 429 / 5xx / connection errors, for OpenAI itself or any OpenAI-compatible
  server (vLLM, Ollama, llama.cpp) via ``queries.base_url`` or ``OPENAI_BASE_URL``.
* ``openai-batch``: the OpenAI Batch API, in :mod:`jobsearch.queries.batch`.

Both ask for one query per distinct posting text, answer from the cache first
(:mod:`jobsearch.queries.cache`, so a rerun with nothing changed sends nothing and needs no
API key), and cache every usable answer as soon as it arrives.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

import pandas as pd

from jobsearch.errors import ConfigError, DataError, JobsearchError
from jobsearch.io import require_columns
from jobsearch.queries.api import (
    Log, Redactor, Tally, backoff, build_client, describe, is_fatal, is_transient, server_label, token_field, token_usage,
)
from jobsearch.queries.cache import QueryCache
from jobsearch.queries.params import QueriesParams

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
class LLMRequest:
    """The chat completion that asks for the query of one distinct posting text."""

    key: str  # cache key
    custom_id: str  # posting id of the first posting with this text
    prompt: str


CACHE_VERSION = "v1"  # part of every cache key: a new version turns every cached answer into a miss


def request_key(title: str, description: str, params: QueriesParams) -> str:
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


def _build_requests(postings: pd.DataFrame, params: QueriesParams) -> tuple[list[str], dict[str, LLMRequest]]:
    """Cache key per posting (in order) and one request per distinct key."""
    require_columns(postings.columns, ["posting_id", "title", "description"], "postings")
    ids = postings["posting_id"]
    dup = ids[ids.duplicated()]
    if len(dup):
        raise DataError(f"postings: posting_id {dup.iloc[0]!r} occurs more than once")
    render_prompt(params.prompt, "", "")  # fail on a broken template before any work
    keys: list[str] = []
    requests: dict[str, LLMRequest] = {}
    for pid, title, desc in zip(ids, postings["title"], postings["description"]):
        title = "" if pd.isna(title) else str(title)
        desc = "" if pd.isna(desc) else str(desc)
        key = request_key(title, desc, params)
        keys.append(key)
        if key not in requests:
            requests[key] = LLMRequest(key, str(pid), render_prompt(params.prompt, title, desc))
    return keys, requests


def chat_body(request: LLMRequest, params: QueriesParams, token_field: str) -> dict[str, Any]:
    """The body of the chat completion that asks for ``request``'s query."""
    return {
        "model": params.model,
        "messages": [{"role": "user", "content": request.prompt}],
        "temperature": params.temperature,
        token_field: params.max_output_tokens,
    }


def cache_entry(request: LLMRequest, query: str, model: str, usage: dict[str, int]) -> dict[str, Any]:
    """The cache line for an answer to ``request``."""
    return {
        "key": request.key,
        "posting_id": request.custom_id,
        "query": query,
        "model": model,
        "prompt_tokens": usage.get("prompt_tokens", 0),
        "completion_tokens": usage.get("completion_tokens", 0),
        "created": int(time.time()),
    }


# --------------------------------------------------------------------------- a run


@dataclass
class LLMRun:
    """One run of an LLM backend over a set of postings.

    :meth:`start` builds the requests and looks them up in the cache; the backend
    sends what is :meth:`pending` and caches the answers; :meth:`finish` reads
    every posting's query back from the cache.
    """

    params: QueriesParams
    posting_ids: pd.Series
    keys: list[str]  # cache key per posting, in order
    requests: dict[str, LLMRequest]  # one per distinct key
    cache: QueryCache
    tally: Tally
    log: Log

    @classmethod
    def start(cls, postings: pd.DataFrame, params: QueriesParams, log: Log, *, batch: bool) -> LLMRun:
        """``postings`` has ``posting_id, title, description``; ``batch``: billed at Batch API prices."""
        keys, requests = _build_requests(postings, params)
        tally = Tally(params.backend, params.model, batch, postings=len(keys), unique_requests=len(requests))
        posting_ids = postings["posting_id"].reset_index(drop=True)
        run = cls(params, posting_ids, keys, requests, QueryCache(params.cache_dir), tally, log)
        pending = run.pending()
        tally.cached = len(requests) - len(pending)
        log(f"queries ({params.backend}, {params.model}): {len(requests)} distinct postings, "
            f"{tally.cached} cached, {len(pending)} to send")
        return run

    def pending(self) -> list[LLMRequest]:
        """The requests the cache has no usable answer for."""
        return [r for r in self.requests.values() if self.cache.query(r.key, self.params.max_query_chars) is None]

    def finish(self) -> tuple[pd.DataFrame, dict[str, Any]]:
        """One query per posting (a frame ``posting_id, query``) and the metrics.

        If some postings have no usable query, raises :class:`JobsearchError`
        (carrying ``.metrics``); all answers received are cached, so running
        again sends only the missing requests.
        """
        queries = [self.cache.query(k, self.params.max_query_chars) for k in self.keys]
        metrics = self.tally.metrics(self.params.prices)
        missing = sum(q is None for q in queries)
        if missing:
            reason = f" (last error: {self.tally.last_error})" if self.tally.last_error else ""
            error = JobsearchError(
                f"{missing} of {len(self.keys)} postings got no usable query from {self.params.model}{reason}; "
                f"the {len(self.keys) - missing} answers received are saved in {self.cache.path}, "
                "so running the stage again sends only the missing requests"
            )
            error.metrics = metrics  # type: ignore[attr-defined]
            raise error
        frame = pd.DataFrame({"posting_id": self.posting_ids, "query": pd.Series(queries)})
        tally = self.tally
        self.log(f"queries: done; {tally.requests_sent} requests sent, {tally.cached} cached, "
                 f"{tally.failed} failed attempts, {tally.retried} retried, "
                 f"{tally.prompt_tokens}+{tally.completion_tokens} tokens")
        return frame, metrics


# --------------------------------------------------------------------------- synchronous backend


def chat_queries(postings: pd.DataFrame, params: QueriesParams, *, log: Log = print) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One query per posting from synchronous chat completions: see :meth:`LLMRun.finish`.

    The client (:func:`build_client`) is built only when something must be sent.
    """
    run = LLMRun.start(postings, params, log, batch=False)
    pending = run.pending()
    if pending:
        _send_chat_completions(build_client(params), pending, run)
    return run.finish()


def _send_chat_completions(client: Any, pending: list[LLMRequest], run: LLMRun) -> None:
    from tqdm.auto import tqdm

    params, tally = run.params, run.tally
    redact = Redactor(client)
    body_token_field = token_field(client)
    abort = threading.Event()
    run.log(f"sending {len(pending)} chat completions to {server_label(client)} "
            f"({params.concurrency} at a time, up to {params.max_retries} retries each)")

    def answer(request: LLMRequest) -> bool:
        body = chat_body(request, params, body_token_field)
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
                tally.last_error = describe(exc, redact)
                if is_fatal(exc):
                    abort.set()
                    raise JobsearchError(
                        f"{server_label(client)} refused chat completions for model {params.model}: "
                        f"{tally.last_error}"
                    ) from None
                if not is_transient(exc) or attempt == params.max_retries:
                    return False
                time.sleep(backoff(attempt, params, exc))
                continue
            usage = token_usage(getattr(response, "usage", None))
            tally.add_usage(usage)
            text = _reply_text(response)
            query = clean_llm_query(text, params.max_query_chars)
            if query is None:
                tally.bump("failed")
                tally.last_error = f"unusable answer {redact(repr(text))[:80]}"
                continue
            run.cache.add([cache_entry(request, query, params.model, usage)])
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


def _reply_text(response: Any) -> str | None:
    try:
        content = response.choices[0].message.content
    except (AttributeError, IndexError, TypeError):
        return None
    return content if isinstance(content, str) else None

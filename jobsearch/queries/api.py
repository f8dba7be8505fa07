"""Talking to an OpenAI-compatible API: the client, its errors and retries, and what the calls cost.

The API key is read from ``OPENAI_API_KEY`` only and lives in memory only: :class:`Redactor`
removes it from anything that may reach a log line or an error.
"""

from __future__ import annotations

import os
import random
import threading
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlsplit

from jobsearch.errors import JobsearchError
from jobsearch.queries.params import QueriesParams
from jobsearch.redact import without_credentials

Log = Callable[[str], None]

NO_KEY_PLACEHOLDER = "not-needed"  # local servers accept any key
BATCH_DISCOUNT = 0.5  # the Batch API bills half the synchronous price


def build_client(params: QueriesParams) -> Any:
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


def server_label(client: Any) -> str:
    """The client's base URL without any user:password part, for log lines."""
    return without_credentials(str(getattr(client, "base_url", ""))).rstrip("/")


def token_field(client: Any) -> str:
    """The name of the output-token limit in a chat completion request to this client's server."""
    # OpenAI's newer models only accept max_completion_tokens; compatible servers
    # (vLLM, Ollama, llama.cpp) all understand the older max_tokens.
    host = urlsplit(str(getattr(client, "base_url", ""))).hostname or ""
    return "max_completion_tokens" if host.endswith("openai.com") else "max_tokens"


class Redactor:
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


def is_transient(exc: BaseException) -> bool:
    """Errors worth a retry: connection errors, timeouts, 408, 409, 429 and 5xx."""
    import openai

    if isinstance(exc, openai.APIConnectionError):  # includes timeouts
        return True
    status = _status(exc)
    return isinstance(exc, openai.APIStatusError) and status is not None and (status in (408, 409, 429) or status >= 500)


def is_fatal(exc: BaseException) -> bool:
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


def backoff(attempt: int, params: QueriesParams, exc: BaseException | None = None) -> float:
    """Exponential backoff with jitter for retries of single API calls."""
    first = params.retry_delay
    cap = max(first, min(60.0, params.max_poll_interval))
    delay = min(cap, first * 2**attempt) * (1 + 0.25 * random.random())
    hint = _retry_after(exc) if exc is not None else None
    if hint is not None:
        delay = max(delay, min(hint, cap))
    return delay


def describe(exc: BaseException, redact: Redactor) -> str:
    """An API error as one line without the key: status and message."""
    status = _status(exc)
    body = getattr(exc, "body", None)
    message = body.get("message") if isinstance(body, dict) else None
    message = message or getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return redact(f"{status} {message}" if status else f"{type(exc).__name__}: {message}")


def format_seconds(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.2g} s"


# --------------------------------------------------------------------------- usage and cost


def token_usage(usage: Any) -> dict[str, int]:
    """Prompt and completion tokens of an answer's ``usage`` (an object or, from a batch, a dict)."""
    if usage is None:
        return {}
    if isinstance(usage, dict):
        get = usage.get
    else:
        def get(name: str) -> Any:
            return getattr(usage, name, None)
    return {"prompt_tokens": int(get("prompt_tokens") or 0), "completion_tokens": int(get("completion_tokens") or 0)}


@dataclass
class Tally:
    """What an LLM run asked for, sent, received and spent: its metrics. Thread-safe."""

    backend: str
    model: str
    batch: bool  # billed at the Batch API's discount
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
                self.model, prices, self.prompt_tokens, self.completion_tokens, batch=self.batch
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

"""A small, real HTTP server speaking enough of the OpenAI API for the ``openai`` client.

Implements ``POST /v1/files`` (multipart upload), ``GET /v1/files/{id}/content``,
``POST /v1/batches``, ``GET /v1/batches/{id}`` and ``POST /v1/chat/completions`` on
127.0.0.1 (a free port). Behaviour is scriptable per test:

* ``batch_scripts``: one dict per batch created, in order (missing -> a plain batch
  that completes on its first poll). Keys: ``polls`` (answers ``in_progress`` that
  many times first), ``fail`` (custom_ids answered in the error file), ``missing``
  (custom_ids left out of both files), ``bad`` (custom_ids answered with an empty
  message), ``expire`` (ends ``expired``; only the custom_ids in ``answer`` get an
  output line, the rest go to the error file as ``batch_expired``), ``hang`` (stays
  ``in_progress`` until ``release`` is set).
* ``rate_limit_first`` / ``server_error_first``: that many chat completions get 429 / 500.
* ``reject_all``: every request gets 401.

Every request is recorded (method, path, headers, body) so tests can count chat
completions and batches and check where the API key went. Answers are derived from
the request: the prompt must contain ``TITLE=<title>``; the query is
:func:`expected_query` of that title, wrapped in quotes, "Query:", markdown, or a
trailing explanation in turn, to exercise the client's cleaning.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_TITLE = re.compile(r"TITLE=(.*)")
_WRAPPERS = (
    "{q}",
    '"{q}"',
    "Query: {q}",
    "**Search query:** `{q}`",
    "{q}\n\nThis query focuses on the specialised skills.",
)


def expected_query(title: str) -> str:
    """The cleaned query the server's answer for a posting titled ``title`` holds."""
    return f"{title.strip().lower()} jobs"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes


@dataclass
class _Batch:
    id: str
    input_file_id: str
    requests: list[dict[str, Any]]
    script: dict[str, Any]
    metadata: dict[str, Any] | None
    created_at: int = field(default_factory=lambda: int(time.time()))
    status: str = "validating"
    polls: int = 0
    output_file_id: str | None = None
    error_file_id: str | None = None
    completed: int = 0
    failed: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "batch",
            "endpoint": "/v1/chat/completions",
            "errors": None,
            "input_file_id": self.input_file_id,
            "completion_window": "24h",
            "status": self.status,
            "output_file_id": self.output_file_id,
            "error_file_id": self.error_file_id,
            "created_at": self.created_at,
            "metadata": self.metadata,
            "request_counts": {"total": len(self.requests), "completed": self.completed, "failed": self.failed},
        }


class FakeOpenAI:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.recorded: list[Recorded] = []
        self.files: dict[str, tuple[str, str, bytes]] = {}  # id -> (filename, purpose, content)
        self.batches: dict[str, _Batch] = {}
        self.batch_scripts: list[dict[str, Any]] = []
        self.rate_limit_first = 0
        self.server_error_first = 0
        self.reject_all = False
        self.release = threading.Event()
        self.chat_calls = 0  # chat completions received, including those answered 429/500
        self.batch_retrieves = 0
        self._ids = itertools.count(1)
        self._answers = itertools.count()
        self._httpd: ThreadingHTTPServer | None = None

    # ---- lifecycle

    def start(self) -> "FakeOpenAI":
        server = self

        class Handler(_Handler):
            fake = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def base_url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    # ---- what tests look at

    @property
    def batches_created(self) -> int:
        return len(self.batches)

    def batch_custom_ids(self) -> list[list[str]]:
        """custom_ids of each batch created, in creation order."""
        ordered = sorted(self.batches.values(), key=lambda b: int(b.id.split("_")[-1]))
        return [[r["custom_id"] for r in b.requests] for b in ordered]

    @property
    def requests_sent(self) -> int:
        """Chat completions asked for: synchronous calls plus requests inside batches."""
        return self.chat_calls + sum(len(b.requests) for b in self.batches.values())

    # ---- behaviour

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids)}"

    def answer(self, body: dict[str, Any], blank: bool = False) -> dict[str, Any]:
        prompt = body["messages"][-1]["content"]
        match = _TITLE.search(prompt)
        title = match.group(1) if match else "unknown"
        wrapper = _WRAPPERS[next(self._answers) % len(_WRAPPERS)]
        content = "" if blank else wrapper.format(q=expected_query(title))
        return {
            "id": self.new_id("chatcmpl"),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "unknown"),
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": len(prompt.split()), "completion_tokens": 4, "total_tokens": len(prompt.split()) + 4},
        }

    def advance(self, batch: _Batch) -> None:
        """One poll of a batch: stay in progress as scripted, or finish it."""
        script = batch.script
        batch.polls += 1
        hanging = script.get("hang") and not self.release.is_set()
        if batch.status in ("completed", "expired", "failed", "cancelled"):
            return
        if hanging or batch.polls <= script.get("polls", 0):
            batch.status = "in_progress"
            batch.completed = min(len(batch.requests), batch.polls)
            return
        output, errors = [], []
        for request in batch.requests:
            cid = request["custom_id"]
            line_id = self.new_id("batch_req")
            if script.get("expire") and cid not in script.get("answer", ()):
                errors.append({"id": line_id, "custom_id": cid, "response": None, "error": {
                    "code": "batch_expired",
                    "message": "This request could not be executed before the completion window expired."}})
            elif cid in script.get("fail", ()):
                errors.append({"id": line_id, "custom_id": cid, "error": None, "response": {
                    "status_code": 500, "request_id": line_id,
                    "body": {"error": {"message": "The server had an error", "type": "server_error"}}}})
            elif cid in script.get("missing", ()):
                continue
            else:
                body = self.answer(request["body"], blank=cid in script.get("bad", ()))
                output.append({"id": line_id, "custom_id": cid, "error": None,
                               "response": {"status_code": 200, "request_id": line_id, "body": body}})
        batch.output_file_id = self._store_jsonl(output, "batch_output")
        batch.error_file_id = self._store_jsonl(errors, "batch_output")
        batch.completed, batch.failed = len(output), len(errors)
        batch.status = "expired" if script.get("expire") else "completed"

    def _store_jsonl(self, lines: list[dict[str, Any]], purpose: str) -> str | None:
        if not lines:
            return None
        file_id = self.new_id("file")
        content = "".join(json.dumps(line) + "\n" for line in lines).encode()
        self.files[file_id] = (f"{file_id}.jsonl", purpose, content)
        return file_id


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAI
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # keep pytest output quiet
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        fake = self.fake
        with fake.lock:
            fake.recorded.append(Recorded(method, path, {k.lower(): v for k, v in self.headers.items()}, body))
            try:
                status, payload = self._route(method, path, body)
            except Exception as exc:  # a bug in the fake: make it visible to the test
                status, payload = 500, {"error": {"message": f"fake server error: {exc!r}", "type": "server_error"}}
        if isinstance(payload, bytes):
            data, ctype = payload, "application/octet-stream"
        else:
            data, ctype = json.dumps(payload).encode(), "application/json"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _route(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        fake = self.fake
        if fake.reject_all:
            return 401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error",
                                   "code": "invalid_api_key"}}
        if method == "POST" and path == "/v1/chat/completions":
            fake.chat_calls += 1
            if fake.rate_limit_first > 0:
                fake.rate_limit_first -= 1
                return 429, {"error": {"message": "Rate limit reached", "type": "requests",
                                       "code": "rate_limit_exceeded"}}
            if fake.server_error_first > 0:
                fake.server_error_first -= 1
                return 500, {"error": {"message": "The server had an error", "type": "server_error"}}
            return 200, fake.answer(json.loads(body))
        if method == "POST" and path == "/v1/files":
            fields = _multipart(self.headers.get("Content-Type", ""), body)
            filename, content = fields["file"]
            purpose = fields["purpose"][1].decode()
            file_id = fake.new_id("file")
            fake.files[file_id] = (filename or "upload.jsonl", purpose, content)
            return 200, _file_json(file_id, fake.files[file_id])
        match = re.fullmatch(r"/v1/files/([\w-]+)/content", path)
        if method == "GET" and match:
            if match.group(1) not in fake.files:
                return 404, {"error": {"message": "No such File object", "type": "invalid_request_error"}}
            return 200, fake.files[match.group(1)][2]
        if method == "POST" and path == "/v1/batches":
            params = json.loads(body)
            file_id = params["input_file_id"]
            if file_id not in fake.files or params.get("completion_window") != "24h":
                return 400, {"error": {"message": "bad batch request", "type": "invalid_request_error"}}
            lines = [json.loads(line) for line in fake.files[file_id][2].decode().splitlines() if line.strip()]
            script = fake.batch_scripts[len(fake.batches)] if len(fake.batches) < len(fake.batch_scripts) else {}
            batch = _Batch(fake.new_id("batch"), file_id, lines, script, params.get("metadata"))
            fake.batches[batch.id] = batch
            return 200, batch.as_json()
        match = re.fullmatch(r"/v1/batches/([\w-]+)", path)
        if method == "GET" and match:
            batch = fake.batches.get(match.group(1))
            if batch is None:
                return 404, {"error": {"message": "No such batch", "type": "invalid_request_error"}}
            fake.batch_retrieves += 1
            fake.advance(batch)
            return 200, batch.as_json()
        return 404, {"error": {"message": f"no route {method} {path}", "type": "invalid_request_error"}}


def _multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        fields[name] = (part.get_filename(), part.get_payload(decode=True) or b"")
    return fields


def _file_json(file_id: str, stored: tuple[str, str, bytes]) -> dict[str, Any]:
    filename, purpose, content = stored
    return {"id": file_id, "object": "file", "bytes": len(content), "created_at": int(time.time()),
            "filename": filename, "purpose": purpose, "status": "processed"}

"""``jobsearch serve``: search over HTTP, the model and index loaded once.

* ``GET /search?q=…&k=…&mode=…``: the hits as JSON;
* ``GET /healthz``: liveness and what is served;
* ``GET /``: a server-rendered page (no JavaScript, nothing from a CDN) with
  a query box and results, their matched terms highlighted.

HEAD is served wherever GET is. A bad request (empty, too long or control
characters in the query, ``k`` out of range, unknown mode, an unknown path)
gets a 4xx with a one-line ``{"error": …}``, never a 500. Every answer carries
a Content-Security-Policy and ``X-Content-Type-Options: nosniff``.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jobsearch.errors import JobsearchError
from jobsearch.retrieval.rankers import SEARCH_MODES
from jobsearch.retrieval.text import term_spans
from jobsearch.search import MAX_K, Searcher

MAX_QUERY_CHARS = 500  # a query longer than this is refused before any work: every request's work is bounded
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # control characters but tab and line breaks
_TEMPLATES = Path(__file__).parent / "templates"
# the page loads nothing from elsewhere and runs no script; its one stylesheet is inline
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def query_error(q: str) -> str | None:
    """Why a query is refused before it is searched (None: it is not)."""
    if len(q) > MAX_QUERY_CHARS:
        return f"q: at most {MAX_QUERY_CHARS} characters, got {len(q)}"
    if _CONTROL.search(q):
        return "q: control characters are not allowed"
    return None


def create_app(searcher: Searcher) -> FastAPI:
    """The service over ``searcher``; its model is loaded here, before the first request."""
    if searcher.index.served.mode != "bm25":
        searcher.encoder  # noqa: B018 - load now: the first query should not pay for it
    # /docs and /redoc would load their scripts from a CDN (blank offline): off; /openapi.json describes the API
    app = FastAPI(
        title="jobsearch", description="Skill-based job search with a fine-tuned embedding model.", docs_url=None, redoc_url=None
    )
    app.add_middleware(HeadAsGet)
    templates = Jinja2Templates(directory=str(_TEMPLATES))
    templates.env.filters["highlight"] = highlight

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.exception_handler(RequestValidationError)
    async def one_line(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())[1:]) or "request"
        return JSONResponse({"error": f"{where}: {first.get('msg', 'invalid')}"}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # 404, 405 and the like: the same one-line body as every other 4xx
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(JobsearchError)
    async def bad_request(request: Request, exc: JobsearchError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok", "postings": len(searcher.index.postings), "model": searcher.index.model, "served": searcher.index.served.label}

    @app.get("/search")
    def search(
        q: str = Query(..., min_length=1, max_length=MAX_QUERY_CHARS, description="what a job seeker types"),
        k: int = Query(10, ge=1, le=MAX_K, description="how many hits"),
        mode: str = Query("served", description=f"ranker: one of {', '.join(SEARCH_MODES)}"),
    ) -> dict:
        error = query_error(q)
        if error:
            raise JobsearchError(error)
        hits = searcher.search(q, top_k=k, ranker=searcher.index.served.for_mode(mode))
        return {"query": q, "mode": mode, "hits": [asdict(h) for h in hits]}

    @app.get("/", response_class=HTMLResponse)
    def page(request: Request, q: str = "", k: int = 10, mode: str = "served") -> HTMLResponse:
        error, hits = query_error(q), []
        if error:
            q = _CONTROL.sub("", q[:MAX_QUERY_CHARS])  # shown back, bounded and clean
        elif q.strip():
            try:
                if not 1 <= k <= MAX_K:
                    raise JobsearchError(f"k must be between 1 and {MAX_K}, got {k}")
                hits = searcher.search(q, top_k=k, ranker=searcher.index.served.for_mode(mode))
            except JobsearchError as exc:
                error = str(exc)
        context = {"q": q, "k": k, "mode": mode, "modes": SEARCH_MODES, "hits": hits, "error": error, "served": searcher.index.served.label}
        return templates.TemplateResponse(request, "search.html", context, status_code=400 if error else 200)

    return app


class HeadAsGet:
    """HEAD wherever GET is served: the GET answer's status and headers, without its body (ASGI middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            await send({**message, "body": b""} if message["type"] == "http.response.body" else message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


def highlight(text: str, terms: list[str]) -> Markup:
    """``text`` HTML-escaped, each word starting with a matched term wrapped in ``<mark>``."""
    if not terms:
        return escape(text)
    out, done = [], 0
    for start, end, _ in term_spans(text, terms):
        out += [escape(text[done:start]), Markup("<mark>"), escape(text[start:end]), Markup("</mark>")]
        done = end
    return Markup("").join([*out, escape(text[done:])])


@contextlib.contextmanager
def running(app: FastAPI, host: str = "127.0.0.1", port: int = 0, start_timeout: float = 30.0) -> Iterator[str]:
    """Serve ``app`` under uvicorn in a background thread; yields its base URL, stops it on exit.

    ``port`` 0 takes a free one. For tests, benchmarks and notebooks; ``jobsearch serve`` runs uvicorn in front.
    """
    import uvicorn

    if port == 0:
        with socket.socket() as probe:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise JobsearchError(f"uvicorn did not start on {host}:{port}")
        time.sleep(0.05)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)

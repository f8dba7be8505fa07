"""``jobsearch serve``: search over HTTP, the model and index loaded once.

* ``GET /search?q=…&k=…&mode=…``: the hits as JSON;
* ``GET /healthz``: liveness and what is served;
* ``GET /``: a server-rendered page (no JavaScript, nothing from a CDN) with
  a query box and results, their matched terms highlighted.

A bad request (empty query, ``k`` out of range, unknown mode) gets a 4xx with
a one-line ``error``, never a 500.
"""

from __future__ import annotations

import contextlib
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

from jobsearch.errors import JobsearchError
from jobsearch.search import SEARCH_MODES, Searcher, ranker_for, term_pattern

MAX_K = 100
_TEMPLATES = Path(__file__).parent / "templates"


def create_app(searcher: Searcher) -> FastAPI:
    """The service over ``searcher``; its model is loaded here, before the first request."""
    if searcher.index.served.mode != "bm25":
        searcher.model  # noqa: B018 - load now: the first query should not pay for it
    app = FastAPI(title="jobsearch", description="Skill-based job search with a fine-tuned embedding model.")
    templates = Jinja2Templates(directory=str(_TEMPLATES))
    templates.env.filters["highlight"] = highlight

    @app.exception_handler(RequestValidationError)
    async def one_line(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())[1:]) or "request"
        return JSONResponse({"error": f"{where}: {first.get('msg', 'invalid')}"}, status_code=422)

    @app.exception_handler(JobsearchError)
    async def bad_request(request: Request, exc: JobsearchError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok", "postings": len(searcher.index.postings), "model": searcher.index.model, "served": searcher.index.served.label}

    @app.get("/search")
    def search(
        q: str = Query(..., min_length=1, max_length=500, description="what a job seeker types"),
        k: int = Query(10, ge=1, le=MAX_K, description="how many hits"),
        mode: str = Query("served", pattern=f"^({'|'.join(SEARCH_MODES)})$", description="ranker"),
    ) -> dict:
        hits = searcher.search(q, top_k=k, ranker=ranker_for(mode, searcher.index.served))
        return {"query": q, "mode": mode, "hits": [asdict(h) for h in hits]}

    @app.get("/", response_class=HTMLResponse)
    def page(request: Request, q: str = "", k: int = 10, mode: str = "served") -> HTMLResponse:
        error, hits = None, []
        if q.strip():
            if not 1 <= k <= MAX_K or mode not in SEARCH_MODES:
                error = f"k must be between 1 and {MAX_K} and mode one of {', '.join(SEARCH_MODES)}"
            else:
                hits = searcher.search(q, top_k=k, ranker=ranker_for(mode, searcher.index.served))
        context = {"q": q, "k": k, "mode": mode, "modes": SEARCH_MODES, "hits": hits, "error": error, "served": searcher.index.served.label}
        return templates.TemplateResponse(request, "search.html", context, status_code=400 if error else 200)

    return app


def highlight(text: str, terms: list[str]) -> Markup:
    """``text`` HTML-escaped, each word starting with a matched term wrapped in ``<mark>``."""
    if not terms:
        return escape(text)
    out, done = [], 0
    for match in term_pattern(terms).finditer(text):
        out += [escape(text[done:match.start()]), Markup("<mark>"), escape(match.group()), Markup("</mark>")]
        done = match.end()
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

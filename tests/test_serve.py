"""`jobsearch serve` as users meet it: a real uvicorn on 127.0.0.1, the real httpx client, a real browser."""

import http.client
import shutil
import time
from urllib.parse import urlencode

import httpx
import pandas as pd
import pytest

from jobsearch.index import IndexParams, build_index
from jobsearch.models import ModelParams, load_model
from jobsearch.retrieval.rankers import RankerParams
from jobsearch.search import Searcher
from jobsearch.serve import create_app, highlight, running

POSTINGS = pd.DataFrame(
    {
        "posting_id": ["p1", "p2", "p3"],
        "title": ["Senior Data Scientist", "Registered Nurse - ICU", "Electrician <Night shift>"],
        "company": ["Acme Analytics", "Mercy Health", "Volt Works"],
        "location": ["Austin, TX", None, "Denver, CO"],
        "description": [
            "Build credit risk models with Python, PyTorch and SQL. 6+ years experience with LLMs.",
            "Provide patient care in the ICU. Epic EHR, ACLS and BLS required. 2 years experience.",
            "Install and repair wiring. Conduit bending, NEC code and blueprint reading. 3 years.",
        ],
    }
)
POSTINGS["text"] = POSTINGS["title"] + "\n\n" + POSTINGS["description"]


@pytest.fixture(scope="module")
def base_url(tiny_model_dir):
    model = load_model(str(tiny_model_dir), device="cpu")
    # served: bm25, so rankings are exact-term ones whatever the random tiny model says
    index = build_index(POSTINGS, str(tiny_model_dir), RankerParams("bm25"), IndexParams(), ModelParams(), encoder=model)
    with running(create_app(Searcher(index, model))) as url:
        yield url


def test_healthz(base_url):
    health = httpx.get(f"{base_url}/healthz").json()
    assert health["status"] == "ok" and health["postings"] == 3 and health["served"] == "bm25"


def test_search_returns_ranked_hits_with_why_they_matched(base_url):
    response = httpx.get(f"{base_url}/search", params={"q": "conduit bending, NEC", "k": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "conduit bending, NEC" and body["mode"] == "served"
    first = body["hits"][0]
    assert first["posting_id"] == "p3" and first["rank"] == 1 and first["title"] == "Electrician <Night shift>"
    assert first["company"] == "Volt Works" and first["location"] == "Denver, CO"
    assert {"conduit", "bending", "nec"} <= set(first["matched"]) and "Conduit bending" in first["snippet"]
    assert len(body["hits"]) == 1  # bm25 ranks no posting without a query term
    dense = httpx.get(f"{base_url}/search", params={"q": "conduit", "k": 3, "mode": "dense"}).json()
    assert len(dense["hits"]) == 3 and dense["mode"] == "dense"


@pytest.mark.parametrize(
    "params, field",
    [
        ({"q": ""}, "q"),
        ({}, "q"),
        ({"q": "python", "k": 0}, "k"),
        ({"q": "python", "k": 101}, "k"),
        ({"q": "python", "k": "ten"}, "k"),
        ({"q": "python", "mode": "best"}, "mode"),
        ({"q": "   "}, "empty"),
    ],
)
def test_bad_requests_get_a_4xx_with_one_line(base_url, params, field):
    response = httpx.get(f"{base_url}/search", params=params)
    assert 400 <= response.status_code < 500
    error = response.json()["error"]
    assert field in error and "\n" not in error


def test_the_page_renders_results_without_javascript_and_escapes_input(base_url):
    page = httpx.get(f"{base_url}/", params={"q": "<script>alert(1)</script> conduit"})
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    html = page.text
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert "<mark>Conduit</mark> bending" in html and "Electrician &lt;Night shift&gt;" in html
    assert "<script" not in html.replace("&lt;script", "")  # the page itself runs no script
    empty = httpx.get(f"{base_url}/").text
    assert 'name="q"' in empty and 'id="results"' not in empty
    assert httpx.get(f"{base_url}/", params={"q": "python", "k": 0}).status_code == 400


def test_the_page_bounds_its_query_as_the_api_does(base_url):
    # http.client: httpx refuses to send a URL this long (browsers and curl do send it)
    host, port = base_url.removeprefix("http://").split(":")

    def get(query: str) -> tuple[int, str, float]:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            connection.connect()  # the connection is open: what is timed is the answer
            start = time.perf_counter()
            connection.request("GET", "/?" + urlencode({"q": query}))
            response = connection.getresponse()
            return response.status, response.read().decode(), time.perf_counter() - start
        finally:
            connection.close()

    for size in (100_000, 10_000):  # 100 KB: beyond uvicorn's request-line limit too; 10 KB: the page's own
        answers = [get("python " * (size // 7)) for _ in range(3)]
        assert all(400 <= status < 500 for status, _, _ in answers)
        fastest = min(seconds for _, _, seconds in answers)
        assert fastest < 0.1, f"a {size // 1000} KB query took {fastest:.3f} s"
    assert len(answers[0][1]) < 10_000 and "at most 500 characters" in answers[0][1]  # not echoed whole
    assert httpx.get(f"{base_url}/search", params={"q": "x" * 501}).status_code == 422


def test_control_characters_in_the_query_are_refused_not_written_into_the_page(base_url):
    page = httpx.get(f"{base_url}/", params={"q": "python\x00<b>"})
    assert page.status_code == 400 and "\x00" not in page.text and "control characters" in page.text
    api = httpx.get(f"{base_url}/search", params={"q": "python\x00"})
    assert api.status_code == 400 and api.json() == {"error": "q: control characters are not allowed"}


def test_every_4xx_is_one_error_line_and_head_is_served_where_get_is(base_url):
    for response, status in [(httpx.get(f"{base_url}/nowhere"), 404), (httpx.post(f"{base_url}/search", params={"q": "x"}), 405)]:
        assert response.status_code == status and list(response.json()) == ["error"] and "\n" not in response.json()["error"]
    for path in ("/", "/healthz", "/search?q=conduit"):
        head = httpx.head(base_url + path)
        assert head.status_code == 200 and head.content == b""


def test_security_headers_and_no_pages_that_need_a_cdn(base_url):
    for path in ("/", "/search?q=conduit", "/healthz", "/nowhere"):
        headers = httpx.get(base_url + path).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert "default-src 'none'" in headers["content-security-policy"]
    # /docs and /redoc load their scripts from a CDN (blank offline): off; the schema stays
    assert httpx.get(f"{base_url}/docs").status_code == 404 and httpx.get(f"{base_url}/redoc").status_code == 404
    assert "/search" in httpx.get(f"{base_url}/openapi.json").json()["paths"]


def test_highlight_marks_whole_words_from_their_start():
    assert str(highlight("Engineering & <b>SQL</b>, sqlite", ["engineer", "sql"])) == (
        "<mark>Engineering</mark> &amp; &lt;b&gt;<mark>SQL</mark>&lt;/b&gt;, <mark>sqlite</mark>"
    )


def test_the_page_in_a_real_browser(base_url):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("no chromium on PATH (Debian: apt-get install chromium; .ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python package is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page(java_script_enabled=False)
            page.goto(base_url + "/")
            page.fill("input[name=q]", "epic ehr, acls")
            page.press("input[name=q]", "Enter")
            page.wait_for_selector("#results li.hit")
            hits = page.locator("li.hit")
            assert hits.count() == 1 and hits.first.get_attribute("data-posting-id") == "p2"
            assert "Registered Nurse" in hits.first.inner_text()
            assert page.locator("li.hit mark").all_inner_texts()[:2] == ["Epic", "EHR"]
            assert page.input_value("input[name=q]") == "epic ehr, acls"
        finally:
            browser.close()

"""`jobsearch serve` as users meet it: a real uvicorn on 127.0.0.1, the real httpx client, a real browser."""

import shutil

import httpx
import pandas as pd
import pytest

from jobsearch.index import IndexParams, build_index
from jobsearch.models import load_model
from jobsearch.retrieval import RankerParams
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
    index = build_index(POSTINGS, model, str(tiny_model_dir), RankerParams("bm25"), IndexParams())
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

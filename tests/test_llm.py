"""LLM query generation against a real HTTP server speaking the OpenAI API (tests/openai_server.py)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from jobsearch.errors import JobsearchError
from jobsearch.queries import QueriesParams
from jobsearch.queries.api import estimate_cost
from jobsearch.queries.batch import batch_queries
from jobsearch.queries.cache import STATE_FILE
from jobsearch.queries.llm import chat_queries, clean_llm_query
from tests.openai_server import FakeOpenAI, expected_query

REPO_ROOT = Path(__file__).resolve().parents[1]
PROMPT = "Suggest a job search query.\nTITLE={title}\nDESCRIPTION={description}"


@pytest.fixture
def server():
    fake = FakeOpenAI().start()
    yield fake
    fake.stop()


@pytest.fixture
def api_key(monkeypatch, server):
    # built at runtime so the repo's secret scan never sees a key-shaped literal
    key = "sk-test-" + secrets.token_hex(16)
    monkeypatch.setenv("OPENAI_API_KEY", key)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    return key


def make_params(tmp_path: Path, backend: str, **overrides) -> QueriesParams:
    values = dict(
        backend=backend,
        prompt=PROMPT,
        poll_interval=0.01,
        max_poll_interval=0.04,
        cache_dir=str(tmp_path / "cache"),
        max_retries=3,
        concurrency=3,
    )
    values.update(overrides)
    return QueriesParams(**values)


def make_postings(n: int, start: int = 0) -> pd.DataFrame:
    ids = range(start, start + n)
    return pd.DataFrame(
        {
            "posting_id": [f"p{i}" for i in ids],
            "title": [f"Role {i} Engineer" for i in ids],
            "description": [f"Build things with tool{i} and tool{i + 1}." for i in ids],
        }
    )


def assert_every_posting_has_its_query(frame: pd.DataFrame, postings: pd.DataFrame) -> None:
    assert list(frame.columns) == ["posting_id", "query"]
    assert frame["posting_id"].tolist() == postings["posting_id"].tolist()
    assert frame["query"].tolist() == [expected_query(t) for t in postings["title"]]


def assert_key_nowhere(key: str, server: FakeOpenAI, dirs: list[Path], texts: list[str]) -> None:
    """The key went out only as the Authorization header, and nothing written holds it."""
    assert server.recorded
    for request in server.recorded:
        assert key.encode() not in request.body
        carrying = {name for name, value in request.headers.items() if key in value}
        assert carrying == {"authorization"}
        assert request.headers["authorization"] == f"Bearer {key}"
    for folder in dirs:
        for path in folder.rglob("*"):
            if path.is_file():
                assert key.encode() not in path.read_bytes(), path
    for text in texts:
        assert key not in text


# --------------------------------------------------------------------------- batch backend


def test_batch_polls_then_retries_failed_missing_and_unusable(tmp_path, server, api_key):
    postings = make_postings(6)
    params = make_params(tmp_path, "openai-batch")
    server.batch_scripts = [dict(polls=3, fail={"p1"}, missing={"p3"}, bad={"p4"}), {}]
    lines: list[str] = []

    frame, metrics = batch_queries(postings, params, log=lines.append)

    assert_every_posting_has_its_query(frame, postings)
    assert server.batch_custom_ids() == [[f"p{i}" for i in range(6)], ["p1", "p3", "p4"]]
    assert metrics["batches_submitted"] == 2
    assert metrics["requests_sent"] == 9 and metrics["retried"] == 3 and metrics["failed"] == 3
    assert metrics["cached"] == 0
    # every answer received is paid for, the unusable one too: 4 + 3 answers of 4 tokens
    assert metrics["prompt_tokens"] > 0 and metrics["completion_tokens"] == 4 * 7
    assert metrics["estimated_cost_usd"] == estimate_cost(
        "gpt-4o-mini", params.prices, metrics["prompt_tokens"], metrics["completion_tokens"], batch=True
    )
    assert any("in_progress 2/6 done, 0 failed; next check in" in line for line in lines)
    # the batch is finished: no state or input file is left behind, only the cache
    cache_dir = Path(params.cache_dir)
    assert [p.name for p in cache_dir.iterdir()] == ["queries.jsonl"]
    # the upload was a batch JSONL with one chat completion per posting
    upload = next(r for r in server.recorded if r.path == "/v1/files")
    assert b'name="purpose"' in upload.body and b"batch" in upload.body
    assert_key_nowhere(api_key, server, [tmp_path], lines + [json.dumps(metrics)])


def test_expired_batch_keeps_its_partial_output(tmp_path, server, api_key):
    postings = make_postings(5)
    params = make_params(tmp_path, "openai-batch")
    server.batch_scripts = [dict(polls=1, expire=True, answer={"p0", "p2"}), {}]
    lines: list[str] = []

    frame, metrics = batch_queries(postings, params, log=lines.append)

    assert_every_posting_has_its_query(frame, postings)
    assert server.batch_custom_ids()[1] == ["p1", "p3", "p4"]
    assert metrics["failed"] == 3 and metrics["retried"] == 3
    assert any("expired" in line for line in lines)


def test_batch_that_keeps_failing_raises_after_saving_the_rest_and_rerun_sends_only_it(tmp_path, server, api_key):
    postings = make_postings(4)
    params = make_params(tmp_path, "openai-batch", max_retries=1)
    server.batch_scripts = [dict(fail={"p2"}), dict(fail={"p2"}), {}]

    with pytest.raises(JobsearchError) as info:
        batch_queries(postings, params, log=lambda line: None)
    message = str(info.value)
    assert "\n" not in message
    assert "1 of 4 postings" in message and "again" in message and "500" in message
    assert info.value.metrics["batches_submitted"] == 2

    before = server.requests_sent
    frame, metrics = batch_queries(postings, params, log=lambda line: None)
    assert server.requests_sent - before == 1
    assert metrics["cached"] == 3 and metrics["requests_sent"] == 1
    assert_every_posting_has_its_query(frame, postings)


def test_killed_after_submission_rerun_resumes_the_same_batch(tmp_path, server, api_key):
    postings = make_postings(4)
    params = make_params(tmp_path, "openai-batch")
    server.batch_scripts = [dict(hang=True)]
    child_code = textwrap.dedent(
        f"""
        import pandas as pd
        from jobsearch.queries import QueriesParams
        from jobsearch.queries.batch import batch_queries
        postings = pd.DataFrame({postings.to_dict("list")!r})
        params = QueriesParams(**{params.__dict__!r})
        batch_queries(postings, params)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen(
        [sys.executable, "-c", child_code], env=env, cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        # the first poll comes after the batch id is saved: the moment a kill costs the most
        while server.batch_retrieves < 2:
            assert child.poll() is None, child.stdout.read().decode()
            assert time.monotonic() < deadline, "the child never polled its batch"
            time.sleep(0.02)
    finally:
        child.kill()
        output = child.communicate()[0].decode()
    assert server.batches_created == 1
    assert "submitted batch" in output
    state = json.loads((Path(params.cache_dir) / STATE_FILE).read_text())
    assert [b["id"] for b in state["batches"]] == list(server.batches)

    server.release.set()  # the batch now finishes
    lines: list[str] = []
    frame, metrics = batch_queries(postings, params, log=lines.append)

    assert server.batches_created == 1
    assert server.chat_calls == 0
    assert metrics["batches_resumed"] == 1 and metrics["batches_submitted"] == 0
    assert any("resuming batch" in line for line in lines)
    assert_every_posting_has_its_query(frame, postings)
    assert not (Path(params.cache_dir) / STATE_FILE).exists()
    assert_key_nowhere(api_key, server, [tmp_path], lines + [output])


def test_stale_batch_for_other_requests_is_not_waited_for(tmp_path, server, api_key):
    postings = make_postings(3)
    params = make_params(tmp_path, "openai-batch")
    server.batch_scripts = [dict(hang=True), {}]
    # an earlier run, with another prompt, left a hanging batch behind
    batch_queries_in_background_then_abandon(postings, make_params(tmp_path, "openai-batch", prompt="x " + PROMPT), server)

    frame, metrics = batch_queries(postings, params, log=lambda line: None)

    assert server.batches_created == 2
    assert metrics["batches_resumed"] == 0
    assert_every_posting_has_its_query(frame, postings)


def batch_queries_in_background_then_abandon(postings, params, server) -> None:
    """Run until the batch is submitted and polled once, then give up as a kill would."""

    class Abandon(BaseException):
        pass

    def log(line: str) -> None:
        if "next check" in line:
            raise Abandon

    with pytest.raises(Abandon):
        batch_queries(postings, params, log=log)
    assert (Path(params.cache_dir) / STATE_FILE).exists()


# --------------------------------------------------------------------------- synchronous backend


def test_sync_recovers_from_rate_limits_and_counts_retries(tmp_path, server, api_key):
    postings = make_postings(5)
    params = make_params(tmp_path, "openai")
    server.rate_limit_first = 3
    server.server_error_first = 1
    lines: list[str] = []

    frame, metrics = chat_queries(postings, params, log=lines.append)

    assert_every_posting_has_its_query(frame, postings)
    assert server.chat_calls == 5 + 4
    assert metrics["retried"] == 4 and metrics["failed"] == 4 and metrics["requests_sent"] == 9
    assert metrics["estimated_cost_usd"] > 0 and metrics["batches_submitted"] == 0
    bodies = [json.loads(r.body) for r in server.recorded if r.path == "/v1/chat/completions"]
    assert {b["model"] for b in bodies} == {"gpt-4o-mini"} and {b["temperature"] for b in bodies} == {0.7}
    assert_key_nowhere(api_key, server, [tmp_path], lines + [json.dumps(metrics)])


def test_sync_gives_up_after_max_retries_with_a_clear_error(tmp_path, server, api_key):
    params = make_params(tmp_path, "openai", max_retries=1, concurrency=1)
    server.rate_limit_first = 2  # both attempts of the first posting

    with pytest.raises(JobsearchError, match=r"^1 of 3 postings got no usable query .*429"):
        chat_queries(make_postings(3), params, log=lambda line: None)
    assert server.chat_calls == 4


def test_rejected_key_is_one_line_without_the_key(tmp_path, server, api_key):
    server.reject_all = True
    with pytest.raises(JobsearchError) as info:
        chat_queries(make_postings(3), make_params(tmp_path, "openai"), log=lambda line: None)
    assert "401" in str(info.value) and "\n" not in str(info.value) and api_key not in str(info.value)


@pytest.mark.parametrize("backend, generate", [("openai", chat_queries), ("openai-batch", batch_queries)])
def test_rerun_sends_only_added_postings_and_nothing_when_unchanged(tmp_path, server, api_key, monkeypatch, backend, generate):
    params = make_params(tmp_path, backend)
    generate(make_postings(5), params, log=lambda line: None)
    assert server.requests_sent == 5

    grown = make_postings(8)
    frame, metrics = generate(grown, params, log=lambda line: None)
    assert server.requests_sent == 5 + 3
    assert metrics["requests_sent"] == 3 and metrics["cached"] == 5
    assert_every_posting_has_its_query(frame, grown)

    # nothing changed: nothing sent, and no key needed to read the cache
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.delenv("OPENAI_BASE_URL")
    calls = len(server.recorded)
    frame, metrics = generate(grown, params, log=lambda line: None)
    assert len(server.recorded) == calls
    assert metrics["requests_sent"] == 0 and metrics["cached"] == 8 and metrics["estimated_cost_usd"] == 0
    assert_every_posting_has_its_query(frame, grown)


def test_changed_prompt_or_model_is_a_cache_miss(tmp_path, server, api_key):
    params = make_params(tmp_path, "openai")
    chat_queries(make_postings(2), params, log=lambda line: None)
    chat_queries(make_postings(2), make_params(tmp_path, "openai", model="gpt-4o"), log=lambda line: None)
    chat_queries(make_postings(2), make_params(tmp_path, "openai", prompt="Q " + PROMPT), log=lambda line: None)
    chat_queries(make_postings(2), params, log=lambda line: None)
    assert server.chat_calls == 6


def test_duplicate_posting_text_is_sent_once(tmp_path, server, api_key):
    postings = make_postings(3)
    postings.loc[2, ["title", "description"]] = postings.loc[0, ["title", "description"]].to_numpy()
    frame, metrics = chat_queries(postings, make_params(tmp_path, "openai"), log=lambda line: None)
    assert server.chat_calls == 2 and metrics["unique_requests"] == 2
    assert frame["query"].tolist()[2] == frame["query"].tolist()[0]


def test_a_cache_line_cut_short_by_a_crash_is_ignored(tmp_path, server, api_key):
    params = make_params(tmp_path, "openai")
    chat_queries(make_postings(2), params, log=lambda line: None)
    cache_file = Path(params.cache_dir) / "queries.jsonl"
    with cache_file.open("ab") as fh:
        fh.write(b'{"key": "abc", "que')  # a crash mid-write
    frame, _ = chat_queries(make_postings(3), params, log=lambda line: None)
    assert server.chat_calls == 3
    assert_every_posting_has_its_query(frame, make_postings(3))
    assert len(cache_file.read_text().splitlines()) == 4  # 2 + the cut line + 1


# --------------------------------------------------------------------------- client from the environment


def test_no_key_and_no_base_url_names_the_variable_and_the_offline_backend(tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(JobsearchError) as info:
        batch_queries(make_postings(2), make_params(tmp_path, "openai-batch"), log=lambda line: None)
    message = str(info.value)
    assert "OPENAI_API_KEY" in message and "queries.backend=offline" in message and "\n" not in message


def test_local_server_without_a_key_gets_a_placeholder(tmp_path, server, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    params = make_params(tmp_path, "openai", base_url=server.base_url)
    frame, _ = chat_queries(make_postings(2), params, log=lambda line: None)
    assert_every_posting_has_its_query(frame, make_postings(2))
    assert {r.headers.get("authorization") for r in server.recorded} == {"Bearer not-needed"}
    body = json.loads(server.recorded[0].body)
    assert body["max_tokens"] == params.max_output_tokens  # what local servers understand


def test_bad_input_is_a_clear_error(tmp_path, api_key):
    params = make_params(tmp_path, "openai")
    with pytest.raises(JobsearchError, match="description"):
        chat_queries(make_postings(2).drop(columns="description"), params, log=lambda line: None)
    duplicated = pd.concat([make_postings(2), make_postings(1)], ignore_index=True)
    with pytest.raises(JobsearchError, match="p0"):
        chat_queries(duplicated, params, log=lambda line: None)
    with pytest.raises(JobsearchError, match="queries.prompt"):
        chat_queries(make_postings(2), make_params(tmp_path, "openai", prompt="{title} {salary}"))


# --------------------------------------------------------------------------- cleaning and cost


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("python developer", "python developer"),
        ('"react native engineer"', "react native engineer"),
        ("“kubernetes sre”", "kubernetes sre"),
        ("Query: data engineer spark", "data engineer spark"),
        ("Search query: 'golang backend'", "golang backend"),
        ("**Search query:** `sql analyst`", "sql analyst"),
        ("Query:\n  ml engineer   pytorch\n\nThis query targets ML roles.", "ml engineer pytorch"),
        ("Here is a concise query: rust embedded", "rust embedded"),
        ("```\nterraform aws devops\n```", "terraform aws devops"),
        ("  nurse   icu  \t night shift ", "nurse icu night shift"),
        ("", None),
        ("   \n ", None),
        ('""', None),
        ("Query:", None),
        (None, None),
        ("x" * 41, None),
        ("x" * 40, "x" * 40),
    ],
)
def test_clean_llm_query(raw, expected):
    assert clean_llm_query(raw, max_chars=40) == expected


def test_estimate_cost_uses_the_price_table_and_the_batch_discount():
    prices = {"gpt-4o-mini": {"input": 0.15, "output": 0.60}, "gpt-4o": {"input": 2.5, "output": 10.0}}
    assert estimate_cost("gpt-4o-mini", prices, 1_000_000, 1_000_000, batch=False) == pytest.approx(0.75)
    assert estimate_cost("gpt-4o-mini", prices, 1_000_000, 1_000_000, batch=True) == pytest.approx(0.375)
    assert estimate_cost("gpt-4o-mini-2024-07-18", prices, 2_000_000, 0, batch=False) == pytest.approx(0.30)
    assert estimate_cost("llama3.1:8b", prices, 10, 10, batch=False) is None


def test_the_queries_stage_runs_the_batch_backend_and_writes_no_key(tmp_path, server, api_key):
    (tmp_path / "params.yaml").write_text(
        "queries:\n  backend: openai-batch\n  poll_interval: 0.01\n  max_poll_interval: 0.04\n"
        f"  prompt: {json.dumps(PROMPT)}\n"
    )
    (tmp_path / "data").mkdir()
    postings = make_postings(4)
    postings.assign(company="Acme").to_parquet(tmp_path / "data/clean.parquet")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.run([sys.executable, "-m", "stages.queries"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    queries = pd.read_parquet(tmp_path / "data/queries.parquet")
    assert queries["posting_id"].tolist() == postings["posting_id"].tolist()
    assert queries["query"].tolist() == [expected_query(t) for t in postings["title"]]
    metrics = json.loads((tmp_path / "metrics/queries.json").read_text())
    assert metrics["requests_sent"] == 4 and server.batches_created == 1
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "params.yaml"]
    assert written and not any(api_key.encode() in p.read_bytes() for p in written)
    assert api_key not in proc.stdout + proc.stderr

"""The HTTP API over real HTTP handling (FastAPI's TestClient, and uvicorn on 127.0.0.1),
with the embedded Chroma and with a real ``chroma run`` server."""

from __future__ import annotations

import threading

import httpx
import pytest
import schemathesis
from conftest import SEEDS, YANGQUAN, free_port, make_service
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from qa.api import create_app

Q_EN = "How did Yangquan cut defects?"
YANGQUAN_TEXT = (SEEDS / f"{YANGQUAN}.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module", params=["embedded", "http"])
def service(request, tmp_path_factory, model_cache, embedders):
    """A writable seed index per Chroma mode (the API suite runs against both)."""
    extra = {}
    if request.param == "http":
        extra["chroma_url"] = request.getfixturevalue("chroma_server")
    svc = make_service(tmp_path_factory.mktemp("api"), model_cache, embedders, **extra)
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def client(service):
    with TestClient(create_app(service=service)) as c:
        yield c


def _problem(r: httpx.Response, status: int) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert isinstance(body["detail"], str) and body["detail"]
    return body["detail"]


def test_health_reports_counts_models_and_mode(client, service):
    h = client.get("/health").json()
    assert h["ready"] is True
    assert h["articles"] == 5
    assert h["vectors"]["e5"] == h["chunks"]
    assert h["embedders"] == ["e5"]
    assert h["chroma"] == ("http" if service.settings.chroma_url else "embedded")


def test_ask_quotes_verbatim_with_checkable_offsets(client):
    r = client.post("/ask", json={"question": Q_EN})
    assert r.status_code == 200
    body = r.json()
    assert body["language"] == "en" and not body["abstained"]
    # among the answers: the rules that cut the defects, or the fall in the defect rate
    assert any("requisition system" in a["text"] or "15% to 9%" in a["text"]
               for a in body["answers"])  # fmt: skip
    for a in body["answers"]:
        c = a["citation"]
        art = client.get(f"/articles/{c['article_id']}").json()
        paragraph = art["parts"][c["lang"]]["paragraphs"][c["paragraph"]]["text"]
        assert paragraph[c["start"] : c["end"]] == a["text"]
    top = body["answers"][0]["citation"]
    assert (top["article_id"], top["date"], top["page"]) == (YANGQUAN, "1954-11-20", 2)


def test_ask_filters(client):
    r = client.post("/ask", json={"question": Q_EN, "lang": "zh", "k": 3}).json()
    assert r["passages"] and all(p["lang"] == "zh" for p in r["passages"])
    assert len(r["passages"]) <= 3
    r = client.post("/ask", json={"question": Q_EN, "until": "1954-06"}).json()
    assert all(p["article_id"] != YANGQUAN for p in r["passages"])
    r = client.post("/ask", json={"question": Q_EN, "article_ids": [YANGQUAN]}).json()
    assert {p["article_id"] for p in r["passages"]} == {YANGQUAN}


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ({"question": ""}, "at least 1 character"),
        ({"question": " \n\t "}, "empty"),
        ({"question": "x" * 2001}, "2001 characters"),
        ({"question": Q_EN, "k": 0}, "body.k: Input should be greater than or equal to 1"),
        ({"question": Q_EN, "k": 51}, "k must be"),
        ({"question": Q_EN, "since": "1954-13"}, "bad date"),
        ({"question": Q_EN, "since": "1955", "until": "1954"}, "after"),
        ({"question": Q_EN, "lang": "fr"}, "lang"),
        ({"question": Q_EN, "mode": "magic"}, "unknown mode"),
        ({"question": 5}, "question"),
        ({"question": Q_EN, "k": "many"}, "k"),
        ({"question": Q_EN, "colour": "red"}, "colour"),
        ({}, "question"),
    ],
)
def test_ask_rejects_bad_input_with_422(client, body, match):
    assert match in _problem(client.post("/ask", json=body), 422)


def test_ask_rejects_non_json_and_oversized_bodies(client, service):
    assert "body" in _problem(
        client.post("/ask", content=b"{not json", headers={"content-type": "application/json"}),
        422,
    )
    big = b" " * (service.settings.max_request_bytes + 1)
    _problem(client.post("/ask", content=big, headers={"content-type": "application/json"}), 413)

    def chunks():  # no Content-Length: sent chunked
        yield b'{"question": "'
        yield b"x" * (service.settings.max_request_bytes + 1)
        yield b'"}'

    chunked = client.post("/ask", content=chunks(), headers={"content-type": "application/json"})
    assert "over" in _problem(chunked, 413)

    def small():
        yield b'{"question": "How did Yangquan cut defects?"}'

    assert (
        client.post(
            "/ask", content=small(), headers={"content-type": "application/json"}
        ).status_code
        == 200
    )


def test_ask_abstains_out_of_corpus(client):
    r = client.post("/ask", json={"question": "What is the boiling point of liquid nitrogen?"})
    assert r.json()["abstained"] is True and r.json()["answers"] == []
    assert r.json()["abstain_reason"] == "no_evidence" and r.json()["abstain_message"]


def test_search_ranks_passages_without_answers(client):
    r = client.get("/search", params={"q": "阳泉 次品", "k": 4})
    assert r.status_code == 200
    body = r.json()
    assert body["language"] == "zh" and "answers" not in body
    assert 1 <= len(body["passages"]) <= 4
    assert body["passages"][0]["article_id"] == YANGQUAN
    r = client.get("/search", params={"q": "defects", "lang": "en", "article": [YANGQUAN]})
    assert {(p["lang"], p["article_id"]) for p in r.json()["passages"]} == {("en", YANGQUAN)}
    _problem(client.get("/search", params={"q": "   "}), 422)
    _problem(client.get("/search", params={"q": "x", "k": 99}), 422)
    _problem(client.get("/search"), 422)


def test_articles_are_paged_and_shown_aligned(client):
    first = client.get("/articles", params={"limit": 2}).json()
    assert (first["total"], len(first["articles"])) == (5, 2)
    rest = client.get("/articles", params={"offset": 2, "limit": 10}).json()["articles"]
    ids = [a["id"] for a in first["articles"] + rest]
    assert ids == sorted(ids) and len(set(ids)) == 5
    _problem(client.get("/articles", params={"limit": 0}), 422)
    _problem(client.get("/articles", params={"offset": -1}), 422)

    art = client.get(f"/articles/{YANGQUAN}").json()
    assert art["date"] == "1954-11-20" and art["page"] == 2
    assert set(art["parts"]) == {"en", "zh"}
    # every pair joins an English and a Chinese body paragraph, each once, in order
    assert all(p["en"] and p["zh"] for p in art["pairs"])
    en = [x["index"] for p in art["pairs"] for x in p["en"]]
    assert en == sorted(set(en))
    assert "no-such-article" in _problem(client.get("/articles/no-such-article"), 404)


YANGQUAN_COPY = YANGQUAN_TEXT.replace("Yangquan", "Xiyangquan").replace("阳泉", "西阳泉")


def test_add_then_delete_an_article(client):
    r = client.post("/articles", json={"id": "xiyangquan", "text": YANGQUAN_COPY})
    assert r.status_code == 201 and r.json()["status"] == "added"
    assert r.json()["chunks_added"] > 0
    again = client.post("/articles", json={"id": "xiyangquan", "text": YANGQUAN_COPY})
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    assert client.get("/health").json()["articles"] == 6
    found = client.get("/search", params={"q": "Xiyangquan defects", "k": 1}).json()
    assert found["passages"][0]["article_id"] == "xiyangquan"
    question = "How many cooperatives has Xiyangquan organized?"
    asked = client.post("/ask", json={"question": question}).json()
    assert asked["answers"] and asked["answers"][0]["citation"]["article_id"] == "xiyangquan"

    changed = client.post(
        "/articles", json={"id": "xiyangquan", "text": YANGQUAN_COPY.replace("1954", "1953")}
    )
    assert changed.status_code == 200 and changed.json()["status"] == "updated"
    assert client.get("/articles/xiyangquan").json()["date"] == "1953-11-20"

    gone = client.delete("/articles/xiyangquan")
    assert gone.status_code == 200 and gone.json()["chunks_removed"] > 0
    _problem(client.delete("/articles/xiyangquan"), 404)
    _problem(client.get("/articles/xiyangquan"), 404)
    assert client.get("/health").json()["articles"] == 5
    after = client.get("/search", params={"q": "Xiyangquan defects", "k": 5}).json()
    assert all(p["article_id"] != "xiyangquan" for p in after["passages"])


def test_add_an_article_as_a_json_record(client):
    record = {
        "id": "rec-1",
        "date": "1956-03-01",
        "page": 3,
        "title": "Oyster farmers of Fujian",
        "paragraphs": ["The oyster farmers of Fujian doubled their harvest by moving beds."],
        "title_zh": "福建蚝农",
        "paragraphs_zh": ["福建蚝农把蚝床迁移后，收成翻了一番。"],
    }
    r = client.post("/articles", json={"record": record})
    assert r.status_code == 201, r.text
    try:
        ans = client.post(
            "/ask", json={"question": "How did Fujian oyster farmers double the harvest?"}
        )
        assert ans.json()["answers"][0]["citation"]["article_id"] == "rec-1"
    finally:
        client.delete("/articles/rec-1")


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ({"id": "x", "text": "hello"}, "no header"),
        ({"id": "x", "text": "Title: t\nDate: 1954-99-01\n\nBody."}, "date"),
        ({"text": YANGQUAN_TEXT}, "needs an 'id'"),
        ({"id": "x", "text": YANGQUAN_TEXT, "record": {"id": "x", "date": "1954-01-01"}}, "either"),
        ({}, "either"),
        ({"record": {"id": "x", "date": "1954-01-01", "bogus": 1}}, "bogus"),
        ({"record": {"id": "x", "date": "1954-01-01"}}, "no body"),
        ({"id": "a/b", "text": YANGQUAN_TEXT}, "bad article id"),
    ],
)
def test_bad_articles_get_422_and_change_nothing(client, body, match):
    before = client.get("/health").json()
    assert match in _problem(client.post("/articles", json=body), 422)
    after = client.get("/health").json()
    assert (after["articles"], after["generation"]) == (before["articles"], before["generation"])


def test_api_key_guards_writes_and_optionally_reads(service):
    from pydantic import SecretStr

    from qa.service import Service

    def app_with(**settings):
        s = service.settings.model_copy(update=settings)
        svc = Service(s, service.index)
        svc.ready = True
        return TestClient(create_app(service=svc))

    c = app_with(api_key=SecretStr("s3cret"))
    body = {"id": "x", "text": "hello"}  # invalid article: reaching the parser means authorised
    assert "X-API-Key" in _problem(c.post("/articles", json=body), 401)
    _problem(c.post("/articles", json=body, headers={"X-API-Key": "wrong"}), 401)
    _problem(c.delete("/articles/x", headers={"X-API-Key": "s3cre"}), 401)
    _problem(c.post("/articles", json=body, headers={"X-API-Key": "s3cret"}), 422)
    _problem(c.delete("/articles/x", headers={"X-API-Key": "s3cret"}), 404)
    assert c.post("/ask", json={"question": Q_EN}).status_code == 200  # reads stay open

    c = app_with(api_key=SecretStr("s3cret"), api_key_reads=True)
    _problem(c.post("/ask", json={"question": Q_EN}), 401)
    assert c.get("/health").status_code == 200  # open: health checks carry no key
    schema = c.get("/openapi.json", headers={"X-API-Key": "s3cret"}).json()
    assert "APIKeyHeader" in schema["components"]["securitySchemes"]


def test_openapi_describes_every_endpoint(client):
    import tomllib

    import qa

    schema = client.get("/openapi.json").json()
    project = tomllib.loads((SEEDS.parent / "pyproject.toml").read_text())["project"]
    assert schema["info"]["version"] == qa.__version__ == project["version"]
    ops = {(m.upper(), p) for p, item in schema["paths"].items() for m in item}
    assert ops == set(OPERATIONS)
    ask = schema["paths"]["/ask"]["post"]["responses"]["200"]["content"]["application/json"]
    assert ask["schema"]["$ref"].endswith("/AskResult")


def test_queries_keep_working_over_uvicorn_while_articles_are_written(service):
    """Real HTTP through uvicorn: 4 clients ask while a writer adds and removes an article;
    every query succeeds and every answer still matches its source paragraph."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(service=service), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            if server.started:
                break
            threading.Event().wait(0.05)
        errors: list[str] = []
        stop = threading.Event()

        def reader() -> None:
            with httpx.Client(base_url=base, timeout=30) as h:
                while not stop.is_set():
                    r = h.post("/ask", json={"question": Q_EN})
                    if r.status_code != 200:
                        errors.append(r.text)
                        continue
                    for a in r.json()["answers"]:
                        c = a["citation"]
                        art = h.get(f"/articles/{c['article_id']}")
                        if art.status_code == 404:  # deleted since: fine
                            continue
                        para = art.json()["parts"][c["lang"]]["paragraphs"][c["paragraph"]]
                        if para["text"][c["start"] : c["end"]] != a["text"]:
                            errors.append(f"offsets do not match: {a}")

        readers = [threading.Thread(target=reader) for _ in range(4)]
        for t in readers:
            t.start()
        with httpx.Client(base_url=base, timeout=60) as h:
            for i in range(3):
                text = YANGQUAN_COPY.replace("1954", str(1950 + i))
                assert h.post("/articles", json={"id": "xiyangquan", "text": text}).status_code in (
                    200, 201
                )  # fmt: skip
                assert h.delete("/articles/xiyangquan").status_code == 200
        stop.set()
        for t in readers:
            t.join()
        assert errors == []
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def fuzz_schema(tmp_path_factory, model_cache, embedders):
    svc = make_service(tmp_path_factory.mktemp("fuzz"), model_cache, embedders)
    yield schemathesis.openapi.from_asgi("/openapi.json", create_app(service=svc))
    svc.close()


OPERATIONS = [
    ("GET", "/health"), ("POST", "/ask"), ("GET", "/search"), ("GET", "/articles"),
    ("POST", "/articles"), ("GET", "/articles/{article_id}"),
    ("DELETE", "/articles/{article_id}"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_fuzzed_requests_never_get_a_server_error(fuzz_schema, method, path):
    """schemathesis generates requests (valid and invalid) from the app's own OpenAPI
    schema; none may get a 5xx, and every response must match its documented status and
    schema."""
    strategy = fuzz_schema[path][method].as_strategy()

    @settings(
        max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    @given(case=strategy)
    def run(case) -> None:
        # Requests the schema allows may still be refused (422) for what it cannot state:
        # a whitespace-only question, 1954-02-30, k above QA_MAX_K, an unparsable article.
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    run()


def test_delete_while_chroma_is_down_keeps_the_article_and_a_retry_finishes(
    tmp_path, model_cache, embedders
):
    """With the Chroma server stopped, DELETE answers JSON 503 and commits nothing: the
    article is still there, so the retry after the server is back removes it fully."""
    from conftest import start_chroma

    port = free_port()
    url, proc = start_chroma(tmp_path / "chroma", port)
    svc = make_service(tmp_path / "data", model_cache, embedders, chroma_url=url,
                       collection_prefix="down", chroma_timeout_seconds=5)  # fmt: skip
    try:
        chunks = svc.index.catalog.chunk_ids_of([YANGQUAN])
        with TestClient(create_app(service=svc)) as c:
            proc.terminate()
            proc.wait(timeout=30)
            r = c.delete(f"/articles/{YANGQUAN}")
            assert r.status_code == 503 and r.json()["where"] == "chroma", r.text
            assert c.get(f"/articles/{YANGQUAN}").status_code == 200  # nothing committed
            assert c.post("/ask", json={"question": Q_EN}).status_code == 503
            h = c.get("/health").json()  # still answers, and says why it is not ready
            assert not h["ready"] and h["degraded"] and url in h["problem"]
            _, proc = start_chroma(tmp_path / "chroma", port)
            assert c.delete(f"/articles/{YANGQUAN}").status_code == 200
            assert c.get(f"/articles/{YANGQUAN}").status_code == 404
            left = {i for e in svc.index.embedders for i in svc.index.store.ids(e.name)}
            assert chunks and not chunks & left
            assert not c.get("/health").json()["degraded"]
    finally:
        svc.close()
        proc.terminate()
        proc.wait(timeout=30)


def test_a_server_start_repairs_drift_that_health_reports(tmp_path, model_cache, embedders):
    """Uncommitted vectors (a killed write) and a lost vector show in /health as drift;
    the recovery `qa serve` runs at start removes the one and re-embeds the other."""
    import numpy as np

    svc = make_service(tmp_path / "data", model_cache, embedders)
    try:
        ix = svc.index
        e5 = next(e for e in ix.embedders if e.name == "e5")
        ix.store.upsert("e5", "zh", ["uncommitted"], e5.encode(["孤儿"]))
        lost = sorted(c for c, lang in ix.catalog.chunk_langs().items() if lang == "en")[0]
        ix.store.delete([lost])
        with TestClient(create_app(service=svc)) as c:
            h = c.get("/health").json()
            assert h["degraded"] and "e5" in h["drift"]
            assert svc.recover() == 1
            h = c.get("/health").json()
            assert not h["degraded"] and h["drift"] == {}
            assert lost in ix.store.ids("e5") and "uncommitted" not in ix.store.ids("e5")
            assert np.isfinite(c.post("/ask", json={"question": Q_EN}).json()["confidence"])
    finally:
        svc.close()


def test_an_article_too_large_to_index_is_refused_with_its_limit(client):
    """6,000 English and 6,001 Chinese one-line paragraphs (a small request that used to
    take 4 GB and 88 s under the write lock): 422 naming the limit, nothing indexed."""
    record = {"id": "huge", "date": "1954-01-01", "paragraphs": ["Word."] * 6000,
              "paragraphs_zh": ["字。"] * 6001}  # fmt: skip
    detail = _problem(client.post("/articles", json={"record": record}), 422)
    assert "QA_MAX_PARAGRAPHS" in detail and "6000" in detail
    assert client.get("/articles/huge").status_code == 404


@pytest.mark.parametrize(
    ("request_", "fragment"),
    [
        (("POST", "/ask", {"question": "\u200b\u200c\ufeff"}), "empty"),
        (("POST", "/ask", {"question": "q", "since": "１９５４"}), "bad date"),
        (("POST", "/ask", {"question": "q", "until": "\u0661\u0669\u0665\u0664"}), "bad date"),
        (("POST", "/articles", {"id": "..", "text": YANGQUAN_TEXT}), "bad article id"),
        (
            ("POST", "/ask", {"question": "三都村怎样减少次品？", "mode": "dense:minilm"}),
            "no embedder",
        ),
        (("POST", "/articles", {"id": ".", "text": YANGQUAN_TEXT}), "bad article id"),
    ],
)
def test_inputs_that_only_look_valid_are_refused(client, request_, fragment):
    method, path, body = request_
    assert fragment in _problem(client.request(method, path, json=body), 422)


def test_a_frozen_chroma_gives_503_in_bounded_time_and_lexical_reads_go_on(
    tmp_path, model_cache, embedders
):
    """SIGSTOP the Chroma server: requests that need vectors answer 503 once the client's
    timeout passes (they used to hang until the server resumed), and what needs no
    vectors (lexical mode, the article list) keeps working."""
    import signal

    from conftest import start_chroma

    url, proc = start_chroma(tmp_path / "chroma", free_port())
    svc = make_service(tmp_path / "data", model_cache, embedders, chroma_url=url,
                       collection_prefix="frozen", chroma_timeout_seconds=2)  # fmt: skip
    results: dict[str, int] = {}
    try:
        with TestClient(create_app(service=svc)) as c:
            proc.send_signal(signal.SIGSTOP)

            def calls() -> None:
                results["ask"] = c.post("/ask", json={"question": Q_EN}).status_code
                body = {"question": Q_EN, "mode": "lexical"}
                results["lexical"] = c.post("/ask", json=body).status_code
                results["articles"] = c.get("/articles").status_code

            worker = threading.Thread(target=calls, daemon=True)
            worker.start()
            worker.join(timeout=120)  # without a timeout the first call never returned
            assert results == {"ask": 503, "lexical": 200, "articles": 200}
            proc.send_signal(signal.SIGCONT)
            assert c.post("/ask", json={"question": Q_EN}).status_code == 200
    finally:
        proc.send_signal(signal.SIGCONT)
        svc.close()
        proc.terminate()
        proc.wait(timeout=30)


def test_with_keyed_reads_the_page_asks_for_the_key_once(seeded):
    """Browsers cannot send X-API-Key: the page asks for it and keeps it in a cookie."""
    from fastapi.testclient import TestClient
    from pydantic import SecretStr

    from qa.api import create_app
    from qa.service import Service

    s = seeded.settings.model_copy(update={"api_key": SecretStr("s3cret"), "api_key_reads": True})
    svc = Service(s, seeded)
    svc.ready = True
    with TestClient(create_app(service=svc)) as c:
        asked = c.get("/", params={"q": Q_EN})
        assert asked.status_code == 401 and 'name="key"' in asked.text
        assert c.post("/ask", json={"question": Q_EN}).status_code == 401  # the API as before
        wrong = c.post("/key", data={"key": "nope", "next": "/?q=x"}, follow_redirects=False)
        assert wrong.status_code == 303 and c.get("/", params={"q": Q_EN}).status_code == 401
        right = c.post("/key", data={"key": "s3cret", "next": "//evil.example/"},
                       follow_redirects=False)  # fmt: skip
        assert right.headers["location"] == "/"  # back into this site only
        page = c.get("/", params={"q": Q_EN})
        assert page.status_code == 200 and "15% to 9%" in page.text
        assert c.post("/ask", json={"question": Q_EN}).status_code == 401  # cookie is for pages


def test_an_unexpected_error_is_a_json_500_that_keeps_the_connection(seeded):
    """Over a real uvicorn connection: an unhandled error answers JSON 500, and the next
    request on the same keep-alive connection is served (it used to be closed)."""
    import json
    import socket
    import time

    import uvicorn

    from qa.service import Service

    svc = Service(seeded.settings, seeded)
    svc.ready = True

    def broken(*_args, **_kwargs):
        raise RuntimeError("a defect")

    svc.ask = broken  # type: ignore[method-assign]
    port = free_port()
    config = uvicorn.Config(create_app(service=svc), host="127.0.0.1", port=port,
                            log_level="critical")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            f = sock.makefile("rb")

            def exchange(request: bytes) -> tuple[int, bytes]:
                sock.sendall(request)
                status = int(f.readline().split()[1])
                length = 0
                while (line := f.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode().partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                return status, f.read(length)

            body = json.dumps({"question": Q_EN}).encode()
            status, text = exchange(
                b"POST /ask HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
            )
            assert status == 500 and "internal error" in json.loads(text)["detail"]
            status, text = exchange(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
            assert status == 200 and json.loads(text)["articles"] == 5
    finally:
        server.should_exit = True
        thread.join(timeout=30)

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from qa.ingest.indexer import Index
from qa.store.lexical import LexicalIndex
from tests.conftest import YANGQUAN


def consistent(ix: Index) -> set[str]:
    """Vectors, sentence vectors and lexical documents are exactly the committed chunks;
    returns them."""
    by_lang = ix.catalog.chunk_langs()
    committed = set(by_lang)
    for e in ix.embedders:
        assert ix.store.ids(e.name) == {i for i, lang in by_lang.items() if lang in e.langs}, e.name
    stored = {r[0] for r in ix.catalog._query("SELECT chunk_id FROM sentences")}
    assert stored == {i for i, lang in by_lang.items() if lang in ix.reader.langs}
    lex = ix.lexical
    lexical_ids = [i for lang in lex.langs for i in lex.ids(lang)]
    assert len(lexical_ids) == len(set(lexical_ids)) and set(lexical_ids) == committed
    return committed


def test_index_seeds_then_reindex_changes_nothing(index, seeds):
    first = index.index_paths([seeds], progress=False)
    assert (first.articles_added, first.failed) == (5, [])
    stats = index.stats()
    assert stats.articles == 5
    assert stats.chunks["en"] > 0 and stats.chunks["zh"] > 0
    assert stats.vectors["e5"] == stats.chunks
    ids = consistent(index)
    generation = index.catalog.generation

    second = index.index_paths([seeds], progress=False)
    assert second.articles_unchanged == 5
    assert (
        second.articles_added,
        second.articles_updated,
        second.chunks_added,
        second.chunks_removed,
    ) == (0, 0, 0, 0)
    assert index.catalog.generation == generation and consistent(index) == ids


def test_settings_that_change_vectors_reindex_everything(index, settings, embedders, seeds):
    """Vectors from another pipeline (here: no title in front) must not mix with new ones."""
    index.index_paths([seeds], progress=False)
    ids = consistent(index)
    index.close()
    with Index(settings.model_copy(update={"embed_title": False}), embedders) as changed:
        report = changed.index_paths([seeds], progress=False)
        assert (report.articles_updated, report.articles_unchanged) == (5, 0)
        assert report.settings_changed
        # Chunk ids carry the pipeline's fingerprint: every chunk is new, none is left over.
        now = consistent(changed)
        assert len(now) == len(ids) and not now & ids
        again = changed.index_paths([seeds], progress=False)
        assert again.articles_unchanged == 5 and not again.settings_changed


def test_changed_file_replaces_its_chunks(index, seeds):
    index.index_paths([seeds], progress=False)
    before = {c.chunk.id for c in index.catalog.all_chunks("en") if c.chunk.article_id == YANGQUAN}
    path = seeds / f"{YANGQUAN}.txt"
    path.write_text(path.read_text().replace("from 15% to 9%", "from 15% to 7%"))
    report = index.index_paths([seeds], progress=False)
    assert (report.articles_updated, report.articles_unchanged) == (1, 4)
    ids = consistent(index)
    assert not before & ids
    texts = [c.chunk.text for c in index.catalog.all_chunks("en") if c.chunk.article_id == YANGQUAN]
    assert any("from 15% to 7%" in t for t in texts) and not any("to 9%" in t for t in texts)


def test_prune_removes_articles_whose_files_are_gone(index, seeds):
    index.index_paths([seeds], progress=False)
    (seeds / f"{YANGQUAN}.txt").unlink()
    kept = index.index_paths([seeds], progress=False)
    assert kept.articles_removed == 0 and index.catalog.article(YANGQUAN) is not None
    pruned = index.index_paths([seeds], prune=True, progress=False)
    assert pruned.articles_removed == 1 and pruned.chunks_removed > 0
    assert index.catalog.article(YANGQUAN) is None and index.stats().articles == 4
    consistent(index)


def test_jsonl_articles_index_and_prune_by_line(index, tmp_path):
    dump = tmp_path / "dump.jsonl"
    rows = [
        {"id": f"j{i}", "date": "1956-01-0" + str(i + 1), "text": f"Article {i} body."}
        for i in range(3)
    ]
    dump.write_text("\n".join(json.dumps(r) for r in rows))
    assert index.index_paths([dump], progress=False).articles_added == 3
    dump.write_text("\n".join(json.dumps(r) for r in rows[:2]))
    report = index.index_paths([dump], prune=True, progress=False)
    assert (report.articles_removed, report.articles_unchanged) == (1, 2)
    assert index.catalog.article("j2") is None
    consistent(index)


def test_bad_files_are_reported_and_the_rest_indexed(index, seeds):
    (seeds / "empty.txt").write_bytes(b"")
    (seeds / "binary.txt").write_bytes(bytes(range(256)))
    (seeds / "latin1.txt").write_bytes("Title: é\nDate: 1954-01-01\nx é\n".encode("latin-1"))
    (seeds / "nohead.txt").write_text("Just a line of text.\n")
    (seeds / "baddate.txt").write_text("Title: T\nDate: 1954-02-30\nBody.\n")
    (seeds / "nobody.txt").write_text("Title: T\nDate: 1954-02-03\nPage: 1\n")
    report = index.index_paths([seeds, seeds / "missing.txt"], progress=False)
    assert report.articles_added == 5
    failed = {Path(f["where"]).name: f["reason"] for f in report.failed}
    assert set(failed) == {
        "empty.txt",
        "binary.txt",
        "latin1.txt",
        "nohead.txt",
        "baddate.txt",
        "nobody.txt",
        "missing.txt",
    }
    assert "UTF-8" in failed["latin1.txt"] and "bad date" in failed["baddate.txt"]
    consistent(index)


def test_duplicate_ids_in_two_folders_are_refused(index, seeds, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / f"{YANGQUAN}.txt").write_text((seeds / f"{YANGQUAN}.txt").read_text())
    report = index.index_paths([seeds, other], progress=False)
    assert report.articles_added == 5
    assert len(report.failed) == 1 and "duplicate article id" in report.failed[0]["reason"]


def test_a_duplicate_id_in_json_lines_names_both_lines(index, tmp_path):
    rec = {"id": "a1", "date": "1954-11-20", "paragraphs": ["Some text."]}
    path = tmp_path / "dump.jsonl"
    other = {**rec, "id": "a2"}
    path.write_text("\n".join(json.dumps(r) for r in (rec, other, rec)) + "\n")
    report = index.index_paths([path], progress=False)
    assert report.articles_added == 2
    (failed,) = report.failed
    assert failed["where"].endswith("dump.jsonl:3") and "dump.jsonl:1" in failed["reason"]


def test_cli_exit_code_and_json_summary(settings, seeds, model_cache):
    (seeds / "bad.txt").write_text("no header here\n")
    env = {
        **os.environ,
        "QA_DATA_DIR": str(settings.data_dir),
        "QA_MODEL_CACHE_DIR": str(model_cache),
    }
    run = subprocess.run([sys.executable, "-m", "qa.cli", "index", str(seeds), "--json", "-q"],
                         env=env, capture_output=True, text=True, timeout=600)  # fmt: skip
    assert run.returncode == 1
    summary = json.loads(run.stdout)
    assert summary["articles_added"] == 5 and summary["failed"][0]["where"].endswith("bad.txt")
    assert "bad.txt: no header" in run.stderr
    stats = subprocess.run([sys.executable, "-m", "qa.cli", "stats", "--json"],
                           env=env, capture_output=True, text=True, timeout=600)  # fmt: skip
    assert stats.returncode == 0 and json.loads(stats.stdout)["articles"] == 5


def _generation(data_dir: Path) -> int:
    try:
        with sqlite3.connect(data_dir / "catalog.sqlite", timeout=5) as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0
    except sqlite3.Error:
        return -1


@pytest.mark.slow
def test_kill_9_midway_keeps_previous_index_and_next_run_completes(
    settings, embedders, seeds, model_cache
):
    with Index(settings, embedders) as ix:
        ix.index_paths([seeds], progress=False)
        before = consistent(ix)
        start_generation = ix.catalog.generation
    sources = sorted(seeds.glob("*.txt"))
    for i in range(120):  # real text under new ids: enough work to kill it midway
        (seeds / f"copy{i:04d}.txt").write_text(sources[i % 5].read_text())

    env = {**os.environ, "QA_DATA_DIR": str(settings.data_dir), "QA_MODEL_CACHE_DIR": str(model_cache),
           "QA_COMMIT_EVERY_CHUNKS": "24"}  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-m", "qa.cli", "index", str(seeds), "-q"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 300
    while _generation(settings.data_dir) < start_generation + 3 and proc.poll() is None:
        assert time.monotonic() < deadline, "indexer made no commits"
        time.sleep(0.05)
    assert proc.poll() is None, "indexer finished before it could be killed; give it more work"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    with Index(settings, embedders) as ix:
        # the killed run's committed batches are whole, and the earlier articles intact
        committed = ix.catalog.chunk_ids()
        assert before <= committed
        assert 5 < ix.catalog.counts()["articles"] < 125
        for e in ix.embedders:  # every committed chunk has its vectors (orphans may exist)
            langs = ix.catalog.chunk_langs()
            want = {i for i, lang in langs.items() if lang in e.langs}
            assert want <= ix.store.ids(e.name)
        lexical = ix.lexical  # stale after the kill: rebuilt from the catalog
        assert {i for lang in lexical.langs for i in lexical.ids(lang)} == committed

        report = ix.index_paths([seeds], progress=False)
        assert report.failed == []
        assert ix.catalog.counts()["articles"] == 125
        consistent(ix)
        # what is saved, with the delta the catalog gives it, is every committed chunk
        saved = LexicalIndex.load(ix.catalog, ix.lexical_dir, ix.settings.lexical_delta_max)
        assert {i for lang in saved.langs for i in saved.ids(lang)} == ix.catalog.chunk_ids()


def test_sentence_vectors_are_stored_with_their_chunks(index, seeds):
    from qa.store.sentences import sentences, unpack

    index.index_paths([seeds], progress=False)
    chunks = index.catalog.all_chunks("en") + index.catalog.all_chunks("zh")
    stored = index.catalog.sentence_vectors([c.chunk.id for c in chunks], "usem3")
    assert stored.keys() == {c.chunk.id for c in chunks}
    some = [c.chunk for c in chunks[::7]]
    for c in some:  # what was stored is what the reader says of the chunk's sentences now
        texts = sentences(c)
        got = unpack(stored[c.id], len(texts))
        assert got is not None and got.shape == (len(texts), 512)
        assert np.allclose(got, index.reader.encode(texts), atol=2e-3)
        assert unpack(stored[c.id], len(texts) + 1) is None  # split otherwise: not used
    assert index.catalog.sentence_vectors([some[0].id], "another-reader") == {}
    assert index.stats().sentences == {"usem3": len(chunks)}

    # an index from before sentence vectors (or under another reader) gets them filled in
    gone = index.catalog._db.execute("DELETE FROM sentences WHERE rowid % 2 = 0").rowcount
    report = index.index_paths([seeds], progress=False)
    assert report.articles_unchanged == 5 and report.sentences_filled == gone > 0
    consistent(index)

    # replaced and removed articles take their sentence vectors with them
    path = seeds / f"{YANGQUAN}.txt"
    path.write_text(path.read_text().replace("from 15% to 9%", "from 15% to 7%"))
    index.index_paths([seeds], progress=False)
    index.remove_articles([YANGQUAN])
    consistent(index)


def test_vectors_lost_from_a_collection_are_restored(index, seeds):
    index.index_paths([seeds], progress=False)
    lost = sorted(index.store.ids("e5"))[:5]
    for lang in ("en", "zh"):
        index.store.collections["e5", lang].delete(ids=lost)
    report = index.index_paths([seeds], progress=False)
    assert report.articles_unchanged == 5
    assert set(lost) <= index.store.ids("e5")
    consistent(index)


def test_a_file_is_the_same_file_from_any_folder(index, seeds, tmp_path, monkeypatch):
    """Sources are absolute: indexing ``seeds`` from its parent and ``$PWD/seeds`` is one
    set of files, and ``--prune`` run from another folder removes nothing that exists."""
    monkeypatch.chdir(seeds.parent)
    first = index.index_paths([Path(seeds.name)], progress=False)
    assert (first.articles_added, first.failed) == (5, [])
    again = index.index_paths([seeds.resolve()], progress=False)
    assert (again.articles_unchanged, again.failed) == (5, [])

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "other.txt").write_text((seeds / f"{YANGQUAN}.txt").read_text())
    monkeypatch.chdir(elsewhere)
    pruned = index.index_paths([Path("nothing-here.txt")], prune=True, progress=False)
    assert pruned.articles_removed == 0
    assert index.stats().articles == 5


def test_relative_sources_of_an_older_version_are_migrated_not_pruned(
    index, seeds, tmp_path, monkeypatch
):
    index.index_paths([seeds], progress=False)
    # What an older version stored: paths relative to the folder it ran from.
    index.catalog.set_sources({aid: f"seeds/{aid}.txt" for aid in index.catalog.article_index()})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    kept = index.index_paths([], prune=True, progress=False)
    assert (kept.articles_removed, kept.prune_skipped) == (0, 5)
    migrated = index.index_paths([seeds], progress=False)
    assert (migrated.articles_unchanged, migrated.failed) == (5, [])
    sources = {s for s, _ in index.catalog.article_index().values()}
    assert sources == {str((seeds / f).resolve()) for f in os.listdir(seeds)}
    # now absolute: a file that goes is pruned again
    (seeds / f"{YANGQUAN}.txt").unlink()
    assert index.index_paths([], prune=True, progress=False).articles_removed == 1


def test_a_data_dir_moved_onto_a_shared_server_does_not_take_its_vectors(
    tmp_path, model_cache, embedders, seeds, chroma_server
):
    """Data dir A indexes into a Chroma server; data dir B, which first used the embedded
    store, is pointed at the same server: B must refuse, not delete A's vectors as
    orphans of its own."""
    from qa.config import Settings
    from qa.store.stores import StoreClaimedError

    prefix = "claim-test"
    server = {"chroma_url": chroma_server, "collection_prefix": prefix}
    a_settings = Settings(data_dir=tmp_path / "a", model_cache_dir=model_cache, **server)
    with Index(a_settings, embedders) as a:
        a.index_paths([seeds], progress=False)
        held = a.stats().vectors
    b_embedded = Settings(
        data_dir=tmp_path / "b", model_cache_dir=model_cache, collection_prefix=prefix
    )
    with Index(b_embedded, embedders) as b:
        b.index_paths([seeds / f"{YANGQUAN}.txt"], progress=False)
    with pytest.raises(StoreClaimedError, match="did not write"):
        Index(b_embedded.model_copy(update={"chroma_url": chroma_server}), embedders)
    with Index(a_settings, embedders) as a:  # A's own store: opened and recovered as usual
        assert a.index_paths([seeds], progress=False).orphans_removed == 0
        assert a.stats().vectors == held
        consistent(a)
    with Index(b_embedded, embedders) as b:  # B back on its own store is fine
        assert b.stats().articles == 1


def test_reads_keep_the_last_lexical_index_while_a_write_rebuilds_it(index, seeds, monkeypatch):
    """A question asked while a write rebuilds BM25 (seconds on a large archive) gets the
    last index built at once instead of waiting; the write returns with the new one."""
    import threading

    index.index_paths([seeds], progress=False)
    before = index.lexical
    real_update = LexicalIndex.updated
    started, release = threading.Event(), threading.Event()

    def slow_update(self, catalog, root, delta_max):
        started.set()
        release.wait(30)  # held until the reader below has been answered
        return real_update(self, catalog, root, delta_max)

    monkeypatch.setattr(LexicalIndex, "updated", slow_update)
    text = (seeds / f"{YANGQUAN}.txt").read_text().replace("Yangquan", "Yang-quan")
    (seeds / "extra.txt").write_text(text)
    writer = threading.Thread(target=index.index_paths, args=([seeds],), kwargs={"progress": False})
    writer.start()
    assert started.wait(60)  # the write committed and is rebuilding
    during = index.lexical  # must not wait for the rebuild
    assert during is before and during.generation < index.catalog.generation
    release.set()
    writer.join(timeout=120)
    after = index.lexical
    assert after.generation == index.catalog.generation
    from qa.text import tokenize

    hits = [cid for cid, _ in after.search(tokenize("Yang-quan", "en"), "en", 10)]
    assert "extra" in {sc.chunk.article_id for sc in index.catalog.chunks(hits).values()}


def test_a_read_only_data_dir_still_answers(index, seeds, settings, embedders, tmp_path):
    """A data dir on a read-only file system (a bind mount here, so that even root cannot
    write) answers from a temporary copy, which goes at close; nothing is written to it."""
    import shutil
    import subprocess

    from qa.answer.answerer import Answerer

    index.index_paths([seeds], progress=False)
    index.close()
    ro = tmp_path / "ro"
    ro.mkdir()
    mount = subprocess.run(["mount", "--bind", str(settings.data_dir), str(ro)],
                           capture_output=True)  # fmt: skip
    if mount.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {mount.stderr.decode().strip()}")
    try:
        remount = ["mount", "-o", "remount,ro,bind", str(ro)]
        assert subprocess.run(remount, capture_output=True).returncode == 0
        assert not os.access(ro, os.W_OK)
        before = sorted(p.name for p in ro.rglob("*"))
        with Index(settings.model_copy(update={"data_dir": ro}), embedders) as ix:
            assert ix.snapshot is not None and ix.stats().articles == 5
            answer = Answerer(ix, ix.settings).ask("How did Yangquan cut defects?")
            assert not answer.abstained and answer.answers[0].citation.article_id == YANGQUAN
            snapshot = ix.snapshot
        assert not snapshot.exists()
        assert sorted(p.name for p in ro.rglob("*")) == before
    finally:
        # a lazy unmount if something still holds the mount busy: never leave it behind
        if subprocess.run(["umount", str(ro)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(ro)], capture_output=True)
        if not os.path.ismount(ro):
            shutil.rmtree(ro, ignore_errors=True)

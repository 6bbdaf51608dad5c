import logging

from qa.ingest.indexer import Index
from qa.service import Service
from qa.store.stores import STALE_WARNING


def test_an_index_built_with_other_settings_is_served_with_a_warning(
    index, settings, embedders, seeds, caplog
):
    index.index_paths([seeds], progress=False)
    assert index.stats().stale is False
    index.close()
    changed = settings.model_copy(update={"embed_title": False})
    service = Service(changed, Index(changed, embedders))
    try:
        with caplog.at_level(logging.WARNING, logger="qa.service"):
            service.warm_up()
        assert STALE_WARNING in caplog.text
        assert service.health().stale is True
        assert not service.ask("How did Yangquan cut defects?").abstained  # still serves

        service.index.index_paths([seeds], progress=False)
        assert service.health().stale is False
    finally:
        service.close()


def test_an_answer_never_pairs_text_from_before_a_write_with_the_article_after(
    index, seeds, settings
):
    """A write that lands between retrieval and citation (here: the article replaced by a
    new version with other text and another title) must not give old text under the new
    title with offsets that no longer hold: such passages and answers are left out."""
    from conftest import YANGQUAN

    from qa.ingest.articles import parse_file

    index.index_paths([seeds], progress=False)
    service = Service(settings, index)
    question = "How did Yangquan cut defects?"
    r = service.answerer.retriever.retrieve(question)
    assert any(p.chunk.chunk.article_id == YANGQUAN for p in r.passages)
    path = seeds / f"{YANGQUAN}.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Yangquan", "Yang-quan").replace("15% to 9%", "15 to 9"))
    assert index.index_paths([seeds], progress=False).articles_updated == 1
    new = parse_file(path, settings.max_file_bytes)

    articles, passages = service.answerer.cite(r)  # the retrieval from before the write
    assert articles[YANGQUAN].title == new.title
    for p in passages:
        paragraph = articles[p.article_id].parts[p.lang].paragraphs[p.paragraph].text
        assert paragraph[p.start : p.end] == p.text
    assert not any(p.article_id == YANGQUAN and p.lang == "en" for p in passages)

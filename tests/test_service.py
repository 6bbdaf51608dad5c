import logging

from qa.indexer import STALE_WARNING, Index
from qa.service import Service


def test_an_index_built_with_other_settings_is_served_with_a_warning(
    index, settings, embedders, seeds, caplog
):
    index.index_paths([seeds], progress=False)
    assert index.stats()["stale"] is False
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

"""The package's shape: the read side (search, answer) and the stores load nothing of the
write side (ingest), not even indirectly."""

import subprocess
import sys

READ_SIDE = ("qa.search.retrieve", "qa.answer.answerer", "qa.store.stores", "qa.schemas")


def test_the_read_side_loads_no_ingest_module():
    code = (
        "import importlib, sys\n"
        f"for m in {READ_SIDE!r}: importlib.import_module(m)\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('qa.'))))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    loaded = run.stdout.split()
    assert "qa.answer.answerer" in loaded  # the check saw the modules it imported
    assert [m for m in loaded if m.startswith("qa.ingest")] == []


def test_every_setting_is_documented_in_the_readme():
    from conftest import ROOT

    from qa.config import Settings

    readme = (ROOT / "README.md").read_text()
    missing = [
        f"QA_{n.upper()}" for n in Settings.model_fields if f"`QA_{n.upper()}`" not in readme
    ]
    assert missing == []

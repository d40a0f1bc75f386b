"""Shared fixtures: the shipped rule set, one classifier, the seed reports, text snapshots."""
from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from engine.pipeline import Classifier
from engine.rules import load

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
SEEDS = ROOT / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


class TextSnapshot(SingleFileSnapshotExtension):
    """One UTF-8 .txt file per snapshot, so a pull request shows a plain text diff."""
    _write_mode = WriteMode.TEXT
    file_extension = "txt"
    _file_extension = "txt"  # older syrupy releases


@pytest.fixture(autouse=True, scope="session")
def _private_rule_cache(tmp_path_factory):
    """Keep the compiled-rule cache of the CLI tests out of the user's ~/.cache."""
    mp = pytest.MonkeyPatch()
    mp.setenv("TIFA_CACHE_DIR", str(tmp_path_factory.mktemp("tifa-cache")))
    yield
    mp.undo()


@pytest.fixture
def text_snapshot(snapshot):
    return snapshot.use_extension(TextSnapshot)


@pytest.fixture(scope="session")
def ruleset():
    return load(RULES)


@pytest.fixture(scope="session")
def classifier(ruleset):
    return Classifier(ruleset)


@pytest.fixture(scope="session")
def seed_results(classifier):
    return {p.stem: classifier.classify_bytes(p.read_bytes(), p.stem, f"seeds/{p.name}") for p in SEED_FILES}

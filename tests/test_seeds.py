"""The seed reports end to end: contract, spans, scripts, encodings, accuracy, snapshots."""
from __future__ import annotations

import json

import jsonschema
import opencc
import pytest

from engine.corpus import load_manifest_names
from engine.evaluate import evaluate, read_gold
from engine.render import review

from conftest import ROOT, SEED_FILES, SEEDS

RESULT_SCHEMA = json.loads((ROOT / "schema" / "result.schema.json").read_text(encoding="utf-8"))
SIMPLIFIED = [p for p in SEED_FILES if "traditional" not in p.name]


@pytest.mark.parametrize("path", SEED_FILES, ids=[p.stem for p in SEED_FILES])
def test_result_is_valid_and_snapshot(path, seed_results, text_snapshot):
    result = seed_results[path.stem]
    jsonschema.Draft202012Validator(RESULT_SCHEMA).validate(result)
    assert result["status"] == "ok"
    assert review(result) == text_snapshot


@pytest.mark.parametrize("path", SEED_FILES, ids=[p.stem for p in SEED_FILES])
def test_every_span_indexes_the_original_text(path, seed_results):
    text = path.read_text(encoding="utf-8")
    result = seed_results[path.stem]
    lines = text.split("\n")
    for p in result["paragraphs"]:
        start, end = p["span"]
        assert text[start:end] == lines[p["index"]].strip()
        for h in p["hits"]:
            assert text[h["span"][0]:h["span"][1]] == h["text"]
            assert start <= h["span"][0] < h["span"][1] <= end
    for q in result.get("quantities", []):
        assert text[q["span"][0]:q["span"][1]] == q["text"]


def _themes(result):
    return [(p["index"], p["kind"], p["themes"]) for p in result["paragraphs"]]


@pytest.mark.parametrize("path", SIMPLIFIED, ids=[p.stem for p in SIMPLIFIED])
def test_traditional_copy_gets_the_same_themes(path, classifier, seed_results):
    traditional = opencc.OpenCC("s2t").convert(path.read_text(encoding="utf-8"))
    result = classifier.classify(traditional, path.stem)
    assert result["document"]["script"] == "traditional"
    assert _themes(result) == _themes(seed_results[path.stem])
    assert result["themes"] == seed_results[path.stem]["themes"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "utf-16", "utf-16-le"])
def test_encodings_give_the_same_result(encoding, classifier, seed_results):
    path = SIMPLIFIED[0]
    result = classifier.classify_bytes(path.read_text(encoding="utf-8").encode(encoding), path.stem)
    assert _themes(result) == _themes(seed_results[path.stem])


def test_big5_traditional_seed(classifier, seed_results):
    path = next(p for p in SEED_FILES if "traditional" in p.name)
    data = path.read_text(encoding="utf-8").encode("big5", errors="replace")
    result = classifier.classify_bytes(data, path.stem)
    assert result["document"]["encoding"] == "big5"
    # Characters Big5 lacks became '?', so compare themes of the paragraphs, not every hit.
    assert [p["themes"] for p in result["paragraphs"]] == [p["themes"] for p in seed_results[path.stem]["paragraphs"]]


def test_macro_f1_on_the_seeds(ruleset, seed_results):
    """Regression guard for the figure the README reports (paragraph-level macro-F1 ≥ 0.85)."""
    gold = read_gold(str(SEEDS / "gold" / "seeds.themes.jsonl"))
    report = evaluate(list(seed_results.values()), gold, ruleset.theme_names, load_manifest_names([str(SEEDS)]))
    assert report.paragraphs == len(gold)
    assert not report.missing_documents
    assert report.macro_f1 >= 0.85, report.text()

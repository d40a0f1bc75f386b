"""`tifa stats`: per-rule coverage, overlaps, conflicts and gold accuracy (Snorkel-style)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.corpus import iter_sources, load_manifest_names
from engine.evaluate import read_gold
from engine.pipeline import Classifier
from engine.rules import load
from engine.stats import analyse_sources, compute, render_text

from conftest import ROOT, RULES, SEEDS

FIXTURES = ROOT / "tests" / "fixtures"
MINI_RULES = FIXTURES / "mini_rules"
MINI_DOCS = FIXTURES / "mini_docs"
GOLD = MINI_DOCS / "gold.jsonl"


@pytest.fixture(scope="module")
def mini_stats():
    ruleset = load(MINI_RULES)
    analyses, ids, failed = analyse_sources(Classifier(ruleset), iter_sources([str(MINI_DOCS)]))
    assert failed == [] and ids == ["report"]
    rows, corpus = compute(analyses, ids, ruleset, read_gold(str(GOLD)))
    return {r.rule: r for r in rows}, corpus


@pytest.mark.parametrize("rule,coverage,overlaps,conflicts,labels,correct,incorrect", [
    # 党支部/基层党组织: heading L8 (no gold), L9 (gold 基层建设), L10 (gold: none, inherited label)
    ("grassroots.organizations", 3, 1, 0, 3, 1, 1),
    ("grassroots.three-one", 1, 1, 0, 1, 1, 0),
    # 干部队伍: heading L11 (below heading threshold, no gold) and L13 (gold 干部队伍, below threshold)
    ("cadres.corps", 2, 0, 0, 0, 1, 0),
    ("cadres.young", 1, 0, 0, 1, 1, 0),
    # heading-only: its one hit is the heading L3, which has no gold row
    ("political.heading", 1, 0, 0, 1, 0, 0),
    ("political.three-stricts", 1, 1, 0, 1, 1, 0),
])
def test_rule_rows(mini_stats, rule, coverage, overlaps, conflicts, labels, correct, incorrect):
    row = mini_stats[0][rule]
    assert (row.coverage, row.overlaps, row.conflicts, row.labels, row.correct, row.incorrect) == \
        (coverage, overlaps, conflicts, labels, correct, incorrect)


def test_excluded_and_out_of_scope_hits_do_not_count(mini_stats):
    rows, _ = mini_stats
    # theory-arming fires on L4 and is excluded on L6 (人才理论): coverage 1, not 2
    assert rows["political.theory-arming"].coverage == 1


def test_corpus_figures(mini_stats):
    _, corpus = mini_stats
    assert corpus.documents == 1
    assert corpus.paragraphs == {"body": 9, "heading": 4}
    assert corpus.body_without_theme == 2          # the intro line and 加强干部队伍建设
    assert corpus.body_without_theme_share == pytest.approx(2 / 9)
    assert corpus.gold_paragraphs == 9


def test_conflicts_count_other_themes(tmp_path):
    doc = tmp_path / "d.txt"
    doc.write_text("正文开头。\n培养年轻干部,规范党支部,做到两个维护。\n", encoding="utf-8")
    ruleset = load(MINI_RULES)
    analyses, ids, _ = analyse_sources(Classifier(ruleset), iter_sources([str(doc)]))
    rows = {r.rule: r for r in compute(analyses, ids, ruleset)[0]}
    for rule in ("cadres.young", "grassroots.organizations", "political.two-safeguards"):
        assert (rows[rule].coverage, rows[rule].overlaps, rows[rule].conflicts) == (1, 1, 1)
        assert rows[rule].correct is None           # no gold given


def test_text_snapshot(mini_stats, text_snapshot):
    rows, corpus = mini_stats
    assert render_text(list(rows.values()), corpus) == text_snapshot


def test_seeds_agree_with_classify_and_eval(ruleset, seed_results):
    paths = [str(SEEDS)]
    gold = read_gold(str(SEEDS / "gold" / "seeds.themes.jsonl"))
    analyses, ids, failed = analyse_sources(Classifier(ruleset), iter_sources(paths))
    rows, corpus = compute(analyses, ids, ruleset, gold, load_manifest_names(paths))
    assert failed == [] and corpus.documents == len(seed_results)
    per_theme: dict[str, int] = {}
    body = without = 0
    for result in seed_results.values():
        for p in result["paragraphs"]:
            for t in p["themes"]:
                per_theme[t] = per_theme.get(t, 0) + 1
            if p["kind"] == "body":
                body += 1
                without += not p["themes"]
    assert corpus.themes == {t: per_theme[t] for t in corpus.themes} and set(corpus.themes) == set(per_theme)
    assert (corpus.paragraphs["body"], corpus.body_without_theme) == (body, without)
    assert corpus.gold_paragraphs == len(gold)
    for r in rows:
        assert r.overlaps <= r.coverage and r.conflicts <= r.overlaps and r.labels <= r.coverage
        if r.correct is not None:
            assert r.correct + r.incorrect <= r.coverage
    hit_paragraphs = sum(1 for res in seed_results.values() for p in res["paragraphs"]
                         for h in {h["rule"] for h in p["hits"]})
    assert sum(r.coverage for r in rows) == hit_paragraphs
    boilerplate = sum(1 for res in seed_results.values() for p in res["paragraphs"] if p["kind"] == "boilerplate")
    structure_hits = sum(r.coverage for r in rows if r.theme == "role:boilerplate")
    assert structure_hits >= boilerplate  # every boilerplate paragraph was made so by some rule


def test_cli_formats():
    result = CliRunner().invoke(main, ["stats", str(MINI_DOCS), "--rules", str(MINI_RULES), "--gold", str(GOLD),
                                       "--format", "json", "--sort", "coverage"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["rules"][0]["rule"] == "grassroots.organizations"   # highest coverage first
    assert data["corpus"]["body_without_theme_share"] == round(2 / 9, 4)
    csv_out = CliRunner().invoke(main, ["stats", str(MINI_DOCS), "--rules", str(MINI_RULES), "--format", "csv"])
    assert csv_out.output.splitlines()[0].startswith("rule,theme,coverage,share,overlaps,conflicts,labels")
    seeds = CliRunner().invoke(main, ["stats", str(SEEDS), "--rules", str(RULES)])
    assert seeds.exit_code == 0 and "body paragraphs without a theme:" in seeds.output

"""`tifa explain`: why a paragraph got its themes, and why not others."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.explain import explain, render_text
from engine.pipeline import Classifier
from engine.rules import load

from conftest import ROOT, SEED_FILES

FIXTURES = ROOT / "tests" / "fixtures"
MINI_RULES = FIXTURES / "mini_rules"
REPORT = FIXTURES / "mini_docs" / "report.txt"


@pytest.fixture(scope="module")
def mini():
    ruleset = load(MINI_RULES)
    text = REPORT.read_text(encoding="utf-8")
    return ruleset, Classifier(ruleset).analyse(text)


def _at(explanations, line):
    return next(e for e in explanations if e.line == line)


def test_hits_scores_and_inheritance(mini):
    ruleset, analysis = mini
    e = _at(explain(analysis, ruleset), 5)   # 全省深化理论武装,坚决做到“两个维护”。
    assert e.index == 4 and e.kind == "body" and e.themes == ("政治建设",)
    assert {(h.rule, h.texts) for h in e.hits} == {("political.theory-arming", ("理论武装",)),
                                                  ("political.two-safeguards", ("两个维护",))}
    assert [(s.theme, s.score, s.threshold, s.verdict) for s in e.scores] == [("政治建设", 5.0, 3, "own")]
    assert e.inherited == ("政治建设",) and e.section == 3 and e.section_heading == "一、坚持以政治建设为统领"


def test_near_misses_unless_and_where(mini):
    ruleset, analysis = mini
    found = explain(analysis, ruleset)
    excluded = _at(found, 7)   # 加强人才理论学习研究 ...
    assert excluded.themes == ("政治建设",) and excluded.inherited == ("政治建设",) and excluded.hits == ()
    assert [(m.rule, m.text) for m in excluded.misses] == [("political.theory-arming", "理论学习")]
    assert "unless '人才理论'" in excluded.misses[0].reason
    scoped = _at(found, 8)     # 推进政治建设考察 ... (a heading-only rule in a body line)
    assert [(m.rule, m.text) for m in scoped.misses] == [("political.heading", "政治建设")]
    assert "heading" in scoped.misses[0].reason


def test_below_threshold_is_said(mini):
    ruleset, analysis = mini
    found = explain(analysis, ruleset)
    weak = _at(found, 14)      # 加强干部队伍建设。 (one weight-1 cue)
    assert weak.themes == ()
    assert [(s.theme, s.score, s.verdict) for s in weak.scores] == [("干部队伍", 1.0, "below threshold")]
    inherited_anyway = _at(found, 11)   # 部分党支部组织生活不够规范。
    assert inherited_anyway.themes == ("基层建设",)
    assert inherited_anyway.scores[0].verdict == "below threshold (inherited anyway)"


def test_lifecycle_is_shown(mini):
    ruleset, analysis = mini
    e = _at(explain(analysis, ruleset), 6)
    life = {h.rule: h.lifecycle for h in e.hits}
    assert life["political.three-stricts"] == "since 2015; until 2015; superseded by political.two-studies"
    assert life["political.two-studies"] == "since 2016"
    assert "[since 2015; until 2015; superseded by political.two-studies]" in render_text([e], "r.txt")


def test_filters(mini):
    ruleset, analysis = mini
    assert [e.line for e in explain(analysis, ruleset, line=12)] == [12]
    assert explain(analysis, ruleset, line=2) == []          # an empty line
    by_rule = explain(analysis, ruleset, rule_id="political.theory-arming")
    assert [e.line for e in by_rule] == [5, 7]               # one hit, one excluded hit


def test_whole_document_text_snapshot(mini, text_snapshot):
    ruleset, analysis = mini
    assert render_text(explain(analysis, ruleset), "report.txt") == text_snapshot


def _run(*args):
    return CliRunner().invoke(main, ["explain", *args])


def test_cli_line_and_rule():
    result = _run(str(REPORT), "--rules", str(MINI_RULES), "--line", "8")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{REPORT}:8 L7 body: 政治建设\n")
    assert "scope: heading-only rule in a body paragraph" in result.output
    result = _run(str(REPORT), "--rules", str(MINI_RULES), "--rule", "political.three-stricts")
    assert result.exit_code == 0
    assert result.output.splitlines()[0].startswith("rule political.three-stricts (政治建设, weight 3, where any)")
    assert "lifecycle: since 2015; until 2015; superseded by political.two-studies" in result.output


def test_cli_usage_errors_and_empty_line():
    assert _run(str(REPORT), "--rules", str(MINI_RULES), "--rule", "no.such-rule").exit_code == 2
    assert _run(str(REPORT), "--rules", str(MINI_RULES), "--line", "0").exit_code == 2
    result = _run(str(REPORT), "--rules", str(MINI_RULES), "--line", "2")
    assert result.exit_code == 0 and "is empty" in result.output


def test_cli_json():
    result = _run(str(REPORT), "--rules", str(MINI_RULES), "--format", "json", "--line", "5")
    data = json.loads(result.output)
    assert [d["line"] for d in data] == [5]
    assert {h["rule"] for h in data[0]["hits"]} == {"political.theory-arming", "political.two-safeguards"}


@pytest.mark.parametrize("path", SEED_FILES, ids=[p.stem for p in SEED_FILES])
def test_seeds_explanations_agree_with_classify(path, ruleset, classifier, seed_results):
    """Explain says what classify did: same themes, same hits, exact original text."""
    text = path.read_text(encoding="utf-8")
    found = explain(classifier.analyse(text), ruleset)
    result = seed_results[path.stem]
    assert [e.index for e in found] == [p["index"] for p in result["paragraphs"]]
    for e, p in zip(found, result["paragraphs"]):
        assert list(e.themes) == p["themes"]
        assert sorted((h.rule, t) for h in e.hits for t in h.texts) == sorted((h["rule"], h["text"]) for h in p["hits"])
        for h in e.hits:
            assert all(text[s:t] == x for (s, t), x in zip(h.spans, h.texts))
        for m in e.misses:
            assert text[m.span[0]:m.span[1]] == m.text
        for q in e.quantities:
            assert text[q.span[0]:q.span[1]] == q.text
        for sc in e.scores:   # the score is the distinct rules' weights, plus what quantities added
            rules = sum(h.weight for h in e.hits if h.theme == sc.theme)
            assert sc.score == pytest.approx(rules + sc.from_quantities)
            assert sc.from_quantities == 0 or any(q.theme == sc.theme for q in e.quantities)

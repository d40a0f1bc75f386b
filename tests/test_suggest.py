"""`tifa suggest`: formulas no rule knows and frequent uncovered terms, from text no rule covers."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.corpus import iter_sources
from engine.normalize import view
from engine.pipeline import Classifier
from engine.rules import load
from engine.stats import analyse_sources
from engine.suggest import suggest, tokenizer

from conftest import ROOT, RULES, SEEDS

FIXTURES = ROOT / "tests" / "fixtures"
MINI_RULES = FIXTURES / "mini_rules"
MINI_DOCS = FIXTURES / "mini_docs"


@pytest.fixture(scope="module")
def mini():
    ruleset = load(MINI_RULES)
    classifier = Classifier(ruleset)
    analyses, ids, _ = analyse_sources(classifier, iter_sources([str(MINI_DOCS)]))
    return ruleset, classifier.matcher, analyses, ids, tokenizer(ruleset)


def test_unknown_quoted_formula_is_suggested_known_one_is_not(mini):
    ruleset, matcher, analyses, ids, tok = mini
    found = suggest(analyses, ids, ruleset, matcher, tok=tok)
    formulas = {c.text: c for c in found if c.kind == "formula"}
    assert set(formulas) == {"五个一批"}                 # “两个维护” and “三会一课” are rule phrases
    c = formulas["五个一批"]
    assert (c.count, c.documents, c.shape) == (2, 1, "quoted")
    assert c.context == "report:7: 加强人才理论学习研究,实施“【五个一批】”计划。"


def test_terms_skip_rule_matches_and_stopwords(mini):
    ruleset, matcher, analyses, ids, tok = mini
    terms = [c.text for c in suggest(analyses, ids, ruleset, matcher, tok=tok, min_count=1) if c.kind == "term"]
    assert "规范" in terms                                # 规范党支部 / 不够规范: twice, no rule
    for covered in ("党支部", "两个维护", "年轻干部", "理论武装", "推进", "加强"):
        assert covered not in terms
    ranked = suggest(analyses, ids, ruleset, matcher, tok=tok, min_count=2)
    assert all(c.count >= 2 for c in ranked if c.kind == "term")


def test_theme_filter_looks_only_inside_that_theme(mini):
    ruleset, matcher, analyses, ids, tok = mini
    grassroots = suggest(analyses, ids, ruleset, matcher, theme="基层建设", tok=tok, min_count=1)
    assert not [c for c in grassroots if c.kind == "formula"]       # 五个一批 is under 政治建设
    assert all(c.context.split(":")[1] in {"9", "10", "11"} for c in grassroots)
    political = suggest(analyses, ids, ruleset, matcher, theme="政治建设", tok=tok, min_count=1)
    assert "五个一批" in {c.text for c in political}


def test_rule_phrases_are_not_cut_by_jieba(ruleset):
    tok = tokenizer(ruleset)
    phrases = [view(p) for r in ruleset.rules if r.theme for p in r.phrases if 3 <= len(p) <= 8 and p.isalpha()]
    assert phrases
    for phrase in phrases:   # between punctuation, so only the phrase itself decides the cut
        assert phrase in tok.lcut(f"。{phrase}。"), phrase


def test_cli_on_seeds():
    result = CliRunner().invoke(main, ["suggest", str(SEEDS), "--rules", str(RULES), "--limit", "5"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("formulas no rule knows")
    assert "frequent terms outside every rule match" in result.output
    data = json.loads(CliRunner().invoke(main, ["suggest", str(SEEDS), "--rules", str(RULES), "--format", "json",
                                                "--theme", "talent"]).output)
    assert all(c["count"] >= 2 for c in data if c["kind"] == "term")
    assert CliRunner().invoke(main, ["suggest", str(SEEDS), "--theme", "nonsense"]).exit_code == 2


def test_jieba_stays_off_the_classification_path():
    code = ("import sys; import engine.cli; from engine.pipeline import Classifier; from engine.rules import load; "
            f"Classifier(load({str(RULES)!r})).classify('坚决做到两个维护。', 'x'); print('jieba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

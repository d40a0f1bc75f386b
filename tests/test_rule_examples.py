"""Every example of every rule is a test: `<rule-id>:match:<n>` / `<rule-id>:no_match:<n>`."""
from __future__ import annotations

import pytest

from engine.check import example_outcomes
from engine.rules import load

from conftest import RULES

_RULESET = load(RULES)
_OUTCOMES = example_outcomes(_RULESET)


@pytest.mark.parametrize("outcome", _OUTCOMES, ids=[o.test_id(_RULESET) for o in _OUTCOMES])
def test_rule_example(outcome):
    rule = _RULESET.rules[outcome.rule_index]
    if outcome.todo:
        pytest.xfail(f"known miss: {outcome.todo}")
    if outcome.expect == "match":
        assert outcome.matched, f"{rule.id} ({rule.file}:{rule.line}) should match {outcome.text!r}"
    else:
        assert not outcome.matched, f"{rule.id} ({rule.file}:{rule.line}) should not match {outcome.text!r}, found {outcome.matched}"


def test_every_rule_has_examples_both_ways():
    """The brief: every rule has examples that must and must not match."""
    lacking = [r.id for r in _RULESET.rules if not r.match_examples or not r.no_match_examples]
    assert not lacking, f"rules without match and no_match examples: {lacking}"


def test_rule_set_is_broad():
    themes = {t.name: 0 for t in _RULESET.themes}
    for r in _RULESET.rules:
        if r.theme:
            themes[r.theme] += 1
    assert sum(themes.values()) > 150
    assert all(n >= 15 for n in themes.values()), themes

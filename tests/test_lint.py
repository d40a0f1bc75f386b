"""Lint of `tifa rules check`: each check finds its problem at the right line, and only there."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.lint import all_diagnostics, lint, nested_quantifier
from engine.rules import collect

from conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture
def lint_diagnostics(monkeypatch):
    monkeypatch.chdir(FIXTURES)  # paths in diagnostics are relative to the working directory
    ruleset, diags = collect("lint_rules")
    assert ruleset is not None and not [d for d in diags if d.level == "error"], "the lint fixture must load cleanly"
    return all_diagnostics(ruleset)


@pytest.mark.parametrize("line,code,level,rule,path", [
    (5, "shadowed", "warning", "political.safeguards", "$.rules[0].phrases"),
    (10, "shadowed", "warning", "political.safeguards-again", "$.rules[1].phrases"),
    (15, "duplicate-phrase", "warning", "political.loyalty", "$.rules[2].phrases[1]"),
    (15, "duplicate-phrase", "warning", "political.loyalty", "$.rules[2].phrases[2]"),
    (20, "unless-always", "error", "political.theory", "$.rules[3].phrases[1]"),
    (21, "unless-never", "warning", "political.theory", "$.rules[3].unless[1]"),
    (21, "unless-untested", "info", "political.theory", "$.rules[3].unless[0]"),
    (26, "regex-nested-quantifier", "warning", "political.risky", "$.rules[4].pattern"),
    (31, "regex-too-long", "warning", "political.long", "$.rules[5].pattern"),
    (38, "lifecycle-cycle", "error", "political.old-campaign", "$.rules[6].superseded_by"),
    (44, "lifecycle-cycle", "error", "political.new-campaign", "$.rules[7].superseded_by"),
    (49, "lifecycle-self", "error", "political.self", "$.rules[8].superseded_by"),
    (55, "todo", "info", "political.broken-example", "$.rules[9].examples.match[1]"),
    (56, "example-no-match", "error", "political.broken-example", "$.rules[9].examples.no_match[0]"),
    (61, "lifecycle-order", "warning", "political.older", "$.rules[10].superseded_by"),
    (72, "lifecycle-theme", "info", "grassroots.branch", "$.rules[12].superseded_by"),
    (72, "lifecycle-until", "info", "grassroots.branch", "$.rules[12].superseded_by"),
])
def test_each_lint_problem_points_at_its_line(lint_diagnostics, line, code, level, rule, path):
    found = [(d.line, d.level, d.rule, d.path) for d in lint_diagnostics
             if d.code == code and d.file.endswith("lint.yaml")]
    assert (line, level, rule, path) in found


def test_empty_theme_points_at_the_taxonomy(lint_diagnostics):
    found = [d for d in lint_diagnostics if d.code == "empty-theme"]
    assert [(d.file.endswith("taxonomy.yaml"), d.line, d.path) for d in found] == [(True, 14, "$.themes[2]")]
    assert "talent" in found[0].message


def test_clean_rules_give_no_lint(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    ruleset, _ = collect("mini_rules")
    assert lint(ruleset) == []


def _with_rule(tmp_path, rule_yaml: str):
    rules = tmp_path / "rules"
    if rules.exists():
        shutil.rmtree(rules)
    shutil.copytree(FIXTURES / "mini_rules", rules)
    path = rules / "political.yaml"
    path.write_text(path.read_text(encoding="utf-8") + rule_yaml, encoding="utf-8")
    ruleset, diags = collect(rules)
    assert not [d for d in diags if d.level == "error"]
    return [d.rule for d in lint(ruleset) if d.code == "shadowed"]


def test_shadowing_needs_every_phrase_and_the_same_exclusions(tmp_path):
    rule = ("  - id: political.deep-theory\n    phrases: [{phrases}]\n{unless}    weight: 2\n"
            "    examples:\n      match: [深化理论武装]\n")
    # political.theory-arming (phrase 理论武装, unless 人才理论) fires wherever 深化理论武装 occurs
    assert _with_rule(tmp_path, rule.format(phrases="深化理论武装", unless="    unless: ['人才理论']\n")) == \
        ["political.deep-theory"]
    # not when it can be excluded where this rule is not
    assert _with_rule(tmp_path, rule.format(phrases="深化理论武装", unless="")) == []
    # not when one phrase has no match of the other rule
    assert _with_rule(tmp_path, rule.format(phrases="深化理论武装, 学深悟透", unless="    unless: ['人才理论']\n")) == []


@pytest.mark.parametrize("pattern,risky", [
    ("(a+)+", "(a+)+"),
    (r"(?:\w*,)*", r"(?:\w*,)*"),
    ("((a)+b)*", "((a)+b)*"),
    ("(a{2,})*", "(a{2,})*"),
    (r"(?:[^。]*)+", r"(?:[^。]*)+"),
    ("(ab)+", None),
    ("a+b+", None),
    ("[(+]+", None),
    ("(a{1,3})+", None),
    ("(a|b)*c", None),
    (r"\(a+\)+", None),
    ("理论(?:学习|武装|培训)", None),
    # a possessive repetition or an atomic group gives nothing back: no split is tried twice
    ("(a++)+", None),
    ("(a*+)*", None),
    ("(a{2,}+)*", None),
    ("(?>a+)+", None),
    ("(a+)++", None),
    (r"\d+(?:/\d++){2,}", None),
    (r"\d+(?:/\d+){2,}", r"(?:/\d+){2,}"),
    ("(a+?)+", "(a+?)+"),
    ("((?>a+)b+)+", "((?>a+)b+)+"),
    (r"\++(a+)+", "(a+)+"),
])
def test_nested_quantifier_detection(pattern, risky):
    assert nested_quantifier(pattern) == risky


def test_shipped_rules_have_no_lint_errors(ruleset):
    errors = [d.text() for d in lint(ruleset) if d.level == "error"]
    assert errors == []


def test_lint_survives_broken_rule_files(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    ruleset, _ = collect("broken_rules")
    assert ruleset is not None
    assert all(d.file and d.line >= 1 for d in lint(ruleset))


def test_check_command_text_lists_everything_then_a_summary(monkeypatch, text_snapshot):
    monkeypatch.chdir(FIXTURES)
    result = CliRunner().invoke(main, ["rules", "check", "--rules", "lint_rules"])
    assert result.exit_code == 2  # lint errors (unless-always, lifecycle cycles) and a failing example
    lines = result.output.splitlines()
    problems = [line for line in lines if not line.startswith("    hint:")][:-1]
    assert all(":" in p and "] " in p for p in problems)
    assert lines[-1] == "13 rules checked: 5 error(s), 10 warning(s), 4 note(s)"
    assert result.output == text_snapshot


def test_check_command_json(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    result = CliRunner().invoke(main, ["rules", "check", "--rules", "lint_rules", "--format", "json"])
    assert result.exit_code == 2
    data = json.loads(result.output)
    codes = {d["code"] for d in data["diagnostics"]}
    assert {"shadowed", "duplicate-phrase", "unless-always", "unless-never", "regex-nested-quantifier",
            "regex-too-long", "lifecycle-cycle", "lifecycle-self", "empty-theme", "example-no-match", "todo"} <= codes
    assert data["errors"] == sum(1 for d in data["diagnostics"] if d["level"] == "error")

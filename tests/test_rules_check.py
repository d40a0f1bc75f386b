"""`tifa rules check`: clean on the shipped rules; precise diagnostics for broken rule files."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from engine.check import example_diagnostics
from engine.cli import main
from engine.rules import collect

from conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"


def _diagnostics(monkeypatch):
    monkeypatch.chdir(FIXTURES)  # diagnostics show paths relative to the working directory
    ruleset, diags = collect("broken_rules")
    return sorted(diags + example_diagnostics(ruleset), key=lambda d: d.sort_key)


def test_shipped_rules_are_clean():
    result = CliRunner().invoke(main, ["rules", "check", "--rules", str(ROOT / "rules")])
    assert result.exit_code == 0, result.output
    assert " 0 error(s)" in result.output.splitlines()[-1]


def test_broken_rules_messages_snapshot(monkeypatch, text_snapshot):
    text = "\n".join(d.text() for d in _diagnostics(monkeypatch)) + "\n"
    assert text == text_snapshot


@pytest.mark.parametrize("file,line,code,path", [
    ("a_syntax.yaml", 6, "yaml-syntax", "$"),
    ("b_schema.yaml", 9, "schema-pattern", "$.rules[1].id"),
    ("b_schema.yaml", 14, "schema-additionalProperties", "$.rules[2]"),
    ("b_schema.yaml", 17, "schema-required", "$.rules[3]"),
    ("b_schema.yaml", 21, "schema-type", "$.rules[4].weight"),
    ("b_schema.yaml", 22, "schema-enum", "$.rules[4].where"),
    ("c_semantic.yaml", 5, "bad-regex", "$.rules[0].pattern"),
    ("c_semantic.yaml", 9, "unknown-theme", "$.rules[1].theme"),
    ("c_semantic.yaml", 13, "duplicate-id", "$.rules[2].id"),
    ("c_semantic.yaml", 21, "example-match", "$.rules[3].examples.match[1]"),
    ("c_semantic.yaml", 22, "example-no-match", "$.rules[3].examples.no_match[0]"),
    ("c_semantic.yaml", 26, "lifecycle", "$.rules[4].until"),
    ("c_semantic.yaml", 27, "unknown-rule", "$.rules[4].superseded_by"),
])
def test_each_problem_points_at_its_line(monkeypatch, file, line, code, path):
    found = [(d.line, d.path) for d in _diagnostics(monkeypatch) if d.file.endswith(file) and d.code == code]
    assert (line, path) in found


def test_broken_rules_exit_2_and_json(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    result = CliRunner().invoke(main, ["rules", "check", "--rules", "broken_rules", "--format", "json"])
    assert result.exit_code == 2
    data = json.loads(result.output)
    assert data["errors"] >= 13
    assert all({"file", "line", "col", "path", "code", "message", "hint"} <= set(d) for d in data["diagnostics"])


def test_classify_refuses_broken_rules(monkeypatch, tmp_path):
    monkeypatch.chdir(FIXTURES)
    doc = tmp_path / "a.txt"
    doc.write_text("坚持选贤任能。", encoding="utf-8")
    result = CliRunner().invoke(main, ["classify", "--rules", "broken_rules", str(doc)])
    assert result.exit_code == 2
    assert "c_semantic.yaml:5:5" in result.output

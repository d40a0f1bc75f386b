"""`tifa diff`: a rule change shows up as exactly the paragraphs it affects."""
from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml
from click.testing import CliRunner

from engine.cli import main
from engine.corpus import iter_sources
from engine.diff import DiffError, compare_results, render_markdown, render_text, rules_at_revision, run_diff
from engine.normalize import view
from engine.pipeline import Classifier
from engine.render import review
from engine.rules import load

from conftest import ROOT, RULES, SEED_FILES, SEEDS

FIXTURES = ROOT / "tests" / "fixtures"
MINI_RULES = FIXTURES / "mini_rules"
MINI_DOCS = FIXTURES / "mini_docs"


def _drop_phrase(rules_dir, rule_id: str, phrase: str) -> None:
    """Remove one phrase from one rule, editing the YAML text as a rule author would."""
    for path in rules_dir.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for rule in data.get("rules", []) if isinstance(data, dict) else []:
            if rule.get("id") == rule_id:
                rule["phrases"] = [p for p in rule["phrases"] if p != phrase]
                path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
                return
    raise AssertionError(f"no rule {rule_id}")


def _review_lines(result) -> dict[int, str]:
    return {int(line[1:5]): line for line in review(result).splitlines() if line.startswith("L")}


def test_no_change_no_output_and_exit_0():
    result = CliRunner().invoke(main, ["diff", "--base-rules", str(MINI_RULES), "--rules", str(MINI_RULES),
                                       "--exit-code", str(MINI_DOCS)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "0 paragraph(s) changed (0 with theme changes: +0 -0) in 0 of 1 document(s)"


def test_removing_a_phrase_mini(tmp_path, text_snapshot):
    new = tmp_path / "rules"
    shutil.copytree(MINI_RULES, new)
    _drop_phrase(new, "political.two-safeguards", "两个维护")
    diff = run_diff(load(MINI_RULES), load(new), iter_sources([str(MINI_DOCS)]), "base", "new")
    assert [(c.document, c.index, c.lost, c.gained) for c in diff.changes] == [("report", 4, (), ())]
    assert [(h.rule, h.text, h.change) for h in diff.changes[0].hits] == [("political.two-safeguards", "两个维护", "removed")]
    assert render_text(diff) + "\n" + render_markdown(diff) == text_snapshot


def test_theme_loss_names_the_rule_and_the_heading(tmp_path):
    new = tmp_path / "rules"
    shutil.copytree(MINI_RULES, new)
    _drop_phrase(new, "grassroots.organizations", "基层党组织")
    diff = run_diff(load(MINI_RULES), load(new), iter_sources([str(MINI_DOCS)]), "base", "new")
    by_index = {c.index: c for c in diff.changes}
    assert set(by_index) == {8, 9, 10}                        # the heading and the two paragraphs under it
    assert by_index[8].lost == ("基层建设",)
    assert by_index[8].responsible == {"基层建设": ("grassroots.organizations",)}
    assert by_index[10].lost == ("基层建设",)                  # it only inherited the theme
    assert by_index[10].responsible == {"基层建设": ("heading L8",)}
    assert by_index[10].hits == ()
    assert by_index[9].lost == ()                              # 党支部 + 三会一课 keep it on its own
    text = render_text(diff)
    assert "-基层建设 because of heading L8" in text
    assert "grassroots.organizations: +0 -2 ~0" in text


def test_removing_a_phrase_changes_exactly_the_paragraphs_that_contain_it(tmp_path):
    """On the shipped rules and the seeds: the paragraphs `tifa diff` reports are exactly the
    paragraphs whose review-snapshot line changes, and each of them contains the phrase."""
    base = load(RULES)
    # The rule files are still being written: take the first phrase (of a rule with several,
    # so the rule stays valid) that occurs in the seeds, preferring the align-with-centre rule.
    seeds_view = "\n".join(view(p.read_text(encoding="utf-8")) for p in SEED_FILES)
    candidates = sorted((r for r in base.rules if r.theme and len(r.phrases) > 1),
                        key=lambda r: r.id != "political.align-with-centre")
    rule, phrase = next((r, p) for r in candidates for p in r.phrases if view(p) in seeds_view)
    new_dir = tmp_path / "rules"
    shutil.copytree(RULES, new_dir)
    _drop_phrase(new_dir, rule.id, phrase)
    new = load(new_dir)
    diff = run_diff(base, new, iter_sources([str(SEEDS)]), "base", "new")
    expected = set()
    for path in SEED_FILES:
        text = path.read_bytes().decode("utf-8")
        old_lines = _review_lines(Classifier(base).classify(text, path.stem))
        new_lines = _review_lines(Classifier(new).classify(text, path.stem))
        expected |= {(path.stem, i) for i in old_lines if old_lines[i] != new_lines.get(i)}
    assert expected, "the phrase should occur in the seeds"
    assert {(c.document, c.index) for c in diff.changes} == expected
    texts = {p.stem: p.read_text(encoding="utf-8") for p in SEED_FILES}
    changed = {(c.document, c.index) for c in diff.changes}
    for c in diff.changes:
        if c.hits:   # the phrase was here ...
            assert view(phrase) in view(texts[c.document].split("\n")[c.index])
            assert {h.rule for h in c.hits} == {rule.id}
        else:        # ... or the paragraph inherited a theme from a heading where it was
            heads = {r for rules in c.responsible.values() for r in rules}
            assert heads and all(h.startswith("heading L") for h in heads)
            assert all((c.document, int(h.split("L")[1])) in changed for h in heads)


def test_markdown_is_a_table_per_document(tmp_path):
    new = tmp_path / "rules"
    shutil.copytree(MINI_RULES, new)
    _drop_phrase(new, "cadres.young", "年轻干部")
    result = CliRunner().invoke(main, ["diff", "--base-rules", str(MINI_RULES), "--rules", str(new),
                                       "--format", "md", "--exit-code", str(MINI_DOCS)])
    assert result.exit_code == 1
    assert "#### report" in result.output
    assert "| L12 | body | ~~干部队伍~~ | 干部队伍: cadres.young |" in result.output


def test_compare_reports_kind_and_weight_changes():
    para = {"index": 0, "span": [0, 4], "kind": "body", "themes": ["政治建设"],
            "hits": [{"rule": "political.a", "theme": "政治建设", "span": [0, 4], "text": "两个维护", "weight": 3}]}
    old = {"document": {"id": "d"}, "status": "ok", "paragraphs": [para]}
    heavier = {**para, "hits": [{**para["hits"][0], "weight": 2}]}
    new = {"document": {"id": "d"}, "status": "ok", "paragraphs": [heavier]}
    changes, errors = compare_results([old], [new], {"d": "两个维护"})
    assert errors == []
    assert [(h.change, h.weight) for h in changes[0].hits] == [("reweighted", (3, 2))]
    assert compare_results([old], [old])[0] == []


def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_base_is_a_git_revision(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(MINI_RULES, repo / "rules")
    _git(repo, "init", "-q")
    _git(repo, "add", "rules")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "rules")
    _drop_phrase(repo / "rules", "cadres.young", "年轻干部")   # an uncommitted edit
    extracted = rules_at_revision("HEAD", repo / "rules", tmp_path / "base")
    assert "年轻干部" in (extracted / "cadres.yaml").read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", "--base", "HEAD", "--rules", str(repo / "rules"), str(MINI_DOCS)])
    assert result.exit_code == 0, result.output
    assert "L12  body        -干部队伍" in result.output
    with pytest.raises(DiffError):
        rules_at_revision("no-such-revision", repo / "rules", tmp_path / "other")
    bad = CliRunner().invoke(main, ["diff", "--base", "no-such-revision", "--rules", str(repo / "rules"), str(MINI_DOCS)])
    assert bad.exit_code == 2


def test_usage_errors():
    assert CliRunner().invoke(main, ["diff", str(MINI_DOCS)]).exit_code == 2
    both = CliRunner().invoke(main, ["diff", "--base", "HEAD", "--base-rules", str(MINI_RULES), str(MINI_DOCS)])
    assert both.exit_code == 2

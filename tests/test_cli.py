"""`tifa classify` and `tifa eval` as a user runs them."""
from __future__ import annotations

import json

from click.testing import CliRunner

from engine.cli import main

from conftest import ROOT, SEED_FILES

SEEDS = str(ROOT / "seeds")
RULES = str(ROOT / "rules")


def run(*args, **kw):
    return CliRunner().invoke(main, ["--help"] if not args else list(args), **kw)


def test_classify_folder_jsonl_one_result_per_seed():
    result = run("classify", "--rules", RULES, "--format", "jsonl", SEEDS)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert sorted(r["document"]["id"] for r in lines) == sorted(p.stem for p in SEED_FILES)
    assert all(r["status"] == "ok" for r in lines)


def test_one_bad_document_does_not_stop_the_batch(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("坚持以政治建设为统领\n深化理论武装,做到“两个维护”。\n", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    result = run("classify", "--rules", RULES, "--format", "jsonl", str(bad), str(good), str(tmp_path / "missing.txt"))
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["status"] for r in rows] == ["error", "ok", "error"]
    assert "binary" in rows[0]["error"]["message"]
    assert "no such file" in rows[2]["error"]["message"]
    assert rows[1]["paragraphs"][1]["themes"] == ["政治建设"]


def test_stdin_and_formats():
    text = "树立大抓基层的鲜明导向\n持续整顿软弱涣散基层党组织。\n".encode("utf-8")
    for fmt, check in [("json", lambda out: json.loads(out)[0]["document"]["id"] == "stdin"),
                       ("csv", lambda out: out.splitlines()[0].startswith("document,status,paragraph")),
                       ("md", lambda out: "| line | kind | themes | evidence |" in out),
                       ("review", lambda out: out.startswith("document stdin status=ok"))]:
        result = run("classify", "--rules", RULES, "--format", fmt, "-", input=text)
        assert result.exit_code == 0, result.output
        assert check(result.output), (fmt, result.output)


def test_output_file_is_written_atomically(tmp_path):
    out = tmp_path / "out.json"
    result = run("classify", "--rules", RULES, "--output", str(out), SEEDS)
    assert result.exit_code == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))) == len(SEED_FILES)
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_eval_prints_per_theme_scores():
    result = run("eval", "--rules", RULES, "--gold", str(ROOT / "seeds" / "gold" / "seeds.themes.jsonl"),
                 "--format", "json", SEEDS)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [t["theme"] for t in data["themes"]] == ["政治建设", "基层建设", "干部队伍", "人才高地", "作风纪律"]
    assert data["paragraphs"] == 188
    assert not data["missing_documents"]


def test_usage_error_exit_2():
    assert run("classify", "--format", "xml", SEEDS).exit_code == 2

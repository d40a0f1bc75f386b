"""JSON Lines corpora (plain and gzip): same results as the files, bad lines as error results."""
from __future__ import annotations

import gzip
import json
import tracemalloc

from click.testing import CliRunner

from engine.cli import main
from engine.corpus import iter_corpus, iter_sources

from conftest import ROOT, SEED_FILES

RULES = str(ROOT / "rules")


def _write_seeds_jsonl(path, opener=open):
    with opener(path, "wt", encoding="utf-8") as fh:
        for p in SEED_FILES:
            fh.write(json.dumps({"id": p.stem, "text": p.read_text(encoding="utf-8")}, ensure_ascii=False) + "\n")
    return path


def _without_path(result: dict) -> dict:
    out = dict(result, document=dict(result["document"]))
    out["document"].pop("path")
    return out


def _classify(*args):
    result = CliRunner().invoke(main, ["classify", "--rules", RULES, "--format", "jsonl", "--jobs", "1", *args])
    return result, [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]


def test_jsonl_and_gzip_corpora_give_the_file_results(tmp_path):
    _, from_files = _classify(*[str(p) for p in SEED_FILES])
    for name, opener in (("seeds.jsonl", open), ("seeds.jsonl.gz", gzip.open)):
        corpus = _write_seeds_jsonl(tmp_path / name, opener)
        result, from_corpus = _classify(str(corpus))
        assert result.exit_code == 0, result.output
        # identical except where the document came from (sha256 is of the UTF-8 text in both)
        assert [_without_path(r) for r in from_corpus] == [_without_path(r) for r in from_files]
        assert {r["document"]["path"] for r in from_corpus} == {str(corpus)}


def test_bad_lines_become_error_results_naming_file_and_line(tmp_path):
    corpus = tmp_path / "mixed.jsonl"
    corpus.write_bytes(b"\n".join([
        json.dumps({"id": "good", "text": "坚决做到两个维护。"}, ensure_ascii=False).encode(),
        b"{not json",
        b"[1, 2]",
        json.dumps({"id": "no-text"}).encode(),
        json.dumps({"id": "num", "text": 5}).encode(),
        b"",
        b'{"id": "bad-utf8", "text": "\xff\xfe"}',
        json.dumps({"id": 42, "text": "选人用人"}, ensure_ascii=False).encode(),
        json.dumps({"text": "无编号"}, ensure_ascii=False).encode(),
    ]) + b"\n")
    result, rows = _classify(str(corpus))
    assert result.exit_code == 1
    by_id = {r["document"]["id"]: r for r in rows}
    assert [r["status"] for r in rows] == ["ok", "error", "error", "error", "error", "error", "ok", "ok"]
    assert by_id["mixed:2"]["error"]["message"].startswith(f"{corpus}:2: not a JSON object")
    assert f"{corpus}:3:" in by_id["mixed:3"]["error"]["message"]
    assert 'no "text"' in by_id["no-text"]["error"]["message"] and f"{corpus}:4:" in by_id["no-text"]["error"]["message"]
    assert f"{corpus}:5:" in by_id["num"]["error"]["message"]
    assert f"{corpus}:7:" in by_id["mixed:7"]["error"]["message"]          # undecodable line: id unknown
    assert by_id["42"]["status"] == "ok" and by_id["mixed:9"]["status"] == "ok"


def test_lines_left_for_the_workers_read_as_the_parent_would(tmp_path):
    # `tifa classify` passes corpus lines unread to its workers (iter_corpus(raw=True), then
    # resolved()); the other commands read them at once: both see the same sources
    from engine.corpus import resolved
    corpus = tmp_path / "mixed.jsonl.gz"
    with gzip.open(corpus, "wb") as fh:
        fh.write(b"\n".join([json.dumps({"id": "good", "text": "两个维护"}, ensure_ascii=False).encode(), b"{not json",
                              b"", json.dumps({"text": "无编号"}, ensure_ascii=False).encode(), b"[1]"]) + b"\n")
    read = list(iter_corpus(corpus))
    raw = list(iter_corpus(corpus, raw=True))
    assert all(s.record is not None and s.text is None for s in raw)
    assert [resolved(s) for s in raw] == read
    assert [s.error is None for s in read] == [True, False, True, False]
    assert resolved(read[0]) is read[0]


def test_a_broken_gzip_file_is_an_error_result(tmp_path):
    corpus = _write_seeds_jsonl(tmp_path / "seeds.jsonl.gz", gzip.open)
    data = corpus.read_bytes()
    corpus.write_bytes(data[: len(data) // 2])  # truncated download
    result, rows = _classify(str(corpus))
    assert result.exit_code == 1
    assert rows[-1]["status"] == "error" and str(corpus) in rows[-1]["error"]["message"]
    assert all(r["status"] == "ok" for r in rows[:-1])
    fake = tmp_path / "fake.jsonl.gz"
    fake.write_bytes(b"not gzip at all")
    assert [s.error is not None for s in iter_corpus(fake)] == [True]


def test_folders_do_not_pick_up_jsonl_files(tmp_path):
    (tmp_path / "a.txt").write_text("选人用人\n", encoding="utf-8")
    _write_seeds_jsonl(tmp_path / "gold.jsonl")
    assert [s.id for s in iter_sources([str(tmp_path)])] == ["a"]


def test_corpus_is_streamed_not_loaded(tmp_path):
    corpus = tmp_path / "big.jsonl"
    line = json.dumps({"id": "x", "text": "组织工作" * 2000}, ensure_ascii=False) + "\n"   # ~24 KB a line
    with open(corpus, "w", encoding="utf-8") as fh:
        for _ in range(800):                                                            # ~19 MB
            fh.write(line)
    tracemalloc.start()
    try:
        stream = iter_corpus(corpus)
        first = [next(stream) for _ in range(50)]
        del first
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3_000_000  # a few records in memory, never the 19 MB file

"""--jobs: worker processes give the same results, in the same order, with bounded memory."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from engine import parallel, render
from engine.cli import main
from engine.corpus import Source

from conftest import ROOT, SEED_FILES

RULES = str(ROOT / "rules")


def _sources(copies: int = 3) -> list[Source]:
    out = []
    for n in range(copies):
        for p in SEED_FILES:
            data = p.read_bytes()
            out.append(Source(f"{p.stem}-{n}", f"seeds/{p.name}", data, size=len(data)))
    out.append(Source("missing", "nowhere.txt", error="cannot read nowhere.txt"))
    out.append(Source("binary", "x.bin", b"\x00\x01\x02" * 100, size=300))
    return out


def test_two_jobs_give_the_single_process_results_in_order(classifier):
    sources = _sources()
    single = [d.body for d in parallel.run(classifier, sources, "dict", jobs=1)]
    # one document per chunk, so the pool really spreads work over both workers
    double = [d.body for d in parallel.run(classifier, sources, "dict", jobs=2, max_docs=1)]
    assert [r["document"]["id"] for r in single] == [s.id for s in sources]
    assert double == single
    direct = [classifier.classify_bytes(s.data, s.id, s.path) for s in sources if s.data is not None]
    assert [r for r in single if r["document"]["id"] not in ("missing",)] == direct
    assert [r["status"] for r in single[-2:]] == ["error", "error"]


@pytest.mark.parametrize("fmt", ["jsonl", "review", "csv", "md", "json"])
def test_rendered_output_does_not_depend_on_jobs(classifier, fmt):
    sources = _sources(2)
    one = [d.body for d in parallel.run(classifier, sources, fmt, jobs=1)]
    two = [d.body for d in parallel.run(classifier, sources, fmt, jobs=2, max_docs=2)]
    assert one == two
    if fmt == "jsonl":   # written as they are: UTF-8 bytes, the lines render.to_jsonl_line gives
        assert one == [render.to_jsonl_line(r).encode("utf-8") for r in
                       (d.body for d in parallel.run(classifier, sources, "dict", jobs=1))]


def test_sources_are_read_lazily_with_a_bounded_window(classifier):
    pulled = []

    def stream():
        for i in range(200):
            pulled.append(i)
            yield Source(f"d{i}", None, text="坚持以政治建设为统领。\n", size=30)

    results = parallel.run(classifier, stream(), "dict", jobs=2, max_docs=2, window=3)
    first = next(results)
    assert first.id == "d0"
    # at most `window` chunks in flight plus the one being filled: never the whole input
    assert len(pulled) <= 2 * (3 + 2)
    assert [d.id for d in results] == [f"d{i}" for i in range(1, 200)]


def test_jobs_must_be_positive(classifier):
    with pytest.raises(ValueError):
        list(parallel.run(classifier, _sources(1), "dict", jobs=0))


def _corpus(tmp_path, copies=8):
    path = tmp_path / "many.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for n in range(copies):
            for p in SEED_FILES:
                fh.write(json.dumps({"id": f"{p.stem}-{n}", "text": p.read_text(encoding="utf-8")},
                                    ensure_ascii=False) + "\n")
    return path


def test_cli_jobs_two_equals_jobs_one(tmp_path):
    corpus = _corpus(tmp_path)  # 40 documents: more than one chunk, so --jobs 2 starts a pool
    runner = CliRunner()
    one = runner.invoke(main, ["classify", "--rules", RULES, "--format", "jsonl", "--jobs", "1", str(corpus)])
    two = runner.invoke(main, ["classify", "--rules", RULES, "--format", "jsonl", "--jobs", "2", str(corpus)])
    assert one.exit_code == 0 and two.exit_code == 0, two.output
    assert one.output == two.output
    assert len(one.output.splitlines()) == 40


def test_cli_rejects_zero_jobs():
    result = CliRunner().invoke(main, ["classify", "--jobs", "0", str(SEED_FILES[0])])
    assert result.exit_code == 2


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path):
    result = CliRunner().invoke(main, ["classify", "--rules", RULES, "--format", "jsonl", str(_corpus(tmp_path, 1))])
    assert result.exit_code == 0
    assert "classifying" not in result.output  # CliRunner mixes stderr into output by default

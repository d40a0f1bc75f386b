"""The Dask adapter gives the single-process results (skipped when the `dask` extra is missing)."""
from __future__ import annotations

import json

import pytest

pytest.importorskip("dask.bag", reason="dask not installed (extra `dask`)")

from engine import parallel, render  # noqa: E402
from engine.corpus import iter_sources  # noqa: E402
from engine.distributed import results_bag, to_jsonl  # noqa: E402

from conftest import SEED_FILES  # noqa: E402


def _corpora(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    with open(a, "w", encoding="utf-8") as fh:
        for p in SEED_FILES[:3]:
            fh.write(json.dumps({"id": p.stem, "text": p.read_text(encoding="utf-8")}, ensure_ascii=False) + "\n")
    with open(b, "w", encoding="utf-8") as fh:
        for p in SEED_FILES[3:]:
            fh.write(json.dumps({"id": p.stem, "text": p.read_text(encoding="utf-8")}, ensure_ascii=False) + "\n")
        fh.write("{broken\n")
    return [str(a), str(b)]


def _single(classifier, paths):
    return [d.body for d in parallel.run(classifier, iter_sources(paths), "dict", jobs=1)]


@pytest.mark.parametrize("scheduler", ["sync", "processes"])
def test_dask_bag_results_equal_single_process(classifier, tmp_path, scheduler):
    paths = _corpora(tmp_path)
    kwargs = {"num_workers": 2} if scheduler == "processes" else {}
    got = results_bag(paths, classifier).compute(scheduler=scheduler, **kwargs)
    expected = _single(classifier, paths)
    assert got == expected
    assert len(got) == len(SEED_FILES) + 1 and got[-1]["status"] == "error"


def test_dask_writes_jsonl_parts(classifier, tmp_path):
    paths = _corpora(tmp_path)
    written = to_jsonl(paths, classifier, str(tmp_path / "out" / "part-*.jsonl"), scheduler="sync")
    assert len(written) == 2
    lines = [json.loads(line) for f in sorted(written) for line in open(f, encoding="utf-8")]
    assert lines == _single(classifier, paths)
    # the very lines `tifa classify --format jsonl` writes (evidence written by the core there too)
    text = "".join(open(f, encoding="utf-8").read() for f in sorted(written))
    assert text == "".join(render.to_jsonl_line(r) for r in _single(classifier, paths))

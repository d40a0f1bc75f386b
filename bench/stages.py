"""bench/stages.py: where the time of `tifa classify` goes, stage by stage.

    python bench/stages.py                 # 3 MB of the benchmark corpus, shipped rules
    python bench/stages.py --size-mb 5 --rules DIR

Runs the same work as `tifa classify --format jsonl --jobs 1` in-process under cProfile and
prints, for each pipeline stage, its cumulative share of the time (stages are found by
function name; a stage that does not exist in this version of the engine is left out).
Also used by bench/run.py, which stores the breakdown in bench/out/results.json.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

# (label, module file suffix, function name): cumulative time of each
STAGES = [
    ("read + decode (JSON Lines)", "corpus.py", "iter_corpus"),
    ("normalize (view)", "normalize.py", "view"),
    ("script detection", "normalize.py", "detect_script"),
    ("segment", "segment.py", "split_lines"),
    ("segment", "segment.py", "assign_kinds"),
    ("match: one pass, all rules", "match.py", "find"),
    ("match: where + unless", "match.py", "filter_hits"),
    ("match: structure roles", "pipeline.py", "_roles"),
    ("classify (labels, scores)", "classify.py", "label"),
    ("classify (labels, scores)", "classify.py", "document_themes"),
    ("quantities", "quantities.py", "extract"),
    ("  of which: traps", "quantities.py", "trap_spans"),
    ("  of which: numeral candidates", "quantities.py", "_candidate"),
    # the same work in C (engine/_quantities.c), a paragraph per call: cProfile names builtins so
    ("  of which: numeral candidates", "~", "<method 'paragraph' of 'engine._quantities.Readings' objects>"),
    ("  of which: subjects", "quantities.py", "_subject"),
    ("  of which: quantity rules", "quantities.py", "_rule"),
    ("result object", "pipeline.py", "_paragraph"),
    ("render JSONL", "render.py", "to_jsonl_line"),     # the engine before session 7
    ("render JSONL", "render.py", "to_jsonl_bytes"),
]


def breakdown(corpus: Path, rules: Path, max_docs: int | None = None) -> dict:
    from engine import parallel
    from engine.cache import load_cached_parts
    from engine.corpus import iter_corpus
    from engine.pipeline import Classifier

    classifier = Classifier(*load_cached_parts(rules))
    # as `tifa classify` does: the compiled rules stay out of the garbage collector's walks (at
    # 10,000 rules, without this, collections would be charged to whichever stage triggers them)
    gc.freeze()

    def work():
        for i, done in enumerate(parallel.run(classifier, iter_corpus(corpus), "jsonl", jobs=1)):
            if max_docs and i + 1 >= max_docs:
                break

    profiler = cProfile.Profile()
    t = time.perf_counter()
    try:
        profiler.runcall(work)
    finally:
        gc.unfreeze()
    total_wall = time.perf_counter() - t
    stats = pstats.Stats(profiler).stats  # (file, line, name) -> (cc, nc, tt, ct, callers)
    total = sum(tt for (_cc, _nc, tt, _ct, _callers) in stats.values())
    out: dict[str, float] = {}
    for label, suffix, name in STAGES:
        ct = sum(v[3] for (file, _line, fn), v in stats.items() if fn == name and file.endswith(suffix))
        if ct:
            out[label] = out.get(label, 0.0) + ct
    return {"profiled_seconds": total, "wall_seconds_under_profiler": total_wall,
            "stages": {k: {"seconds": v, "share": v / total} for k, v in out.items()}}


def main(argv=None) -> int:
    import run

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-mb", type=float, default=3.0)
    ap.add_argument("--rules", default=str(ROOT / "rules"))
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        run.build_corpus(corpus, args.size_mb)
        result = breakdown(corpus, Path(args.rules))
    print(f"{result['profiled_seconds']:.2f} s of profiled time for {args.size_mb:g} MB")
    for label, row in result["stages"].items():   # pipeline order; "of which" rows are inside the row above
        print(f"  {row['share']:6.1%}  {row['seconds']:7.2f} s  {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

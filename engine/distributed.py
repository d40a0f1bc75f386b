"""distributed: classify JSON Lines corpora with Dask (``dask.bag``), on one machine or a cluster.

Input: paths of JSON Lines corpora (``.jsonl``, ``.jsonl.gz``; one ``{"id", "text"}`` object
per line), a picklable :class:`engine.pipeline.Classifier`. Output: a ``dask.bag.Bag`` of
result objects (the output contract), one per record, in file order then line order.
Invariants: a partition is a group of whole files; each worker streams its files with the
same reader as ``tifa classify`` (:func:`engine.corpus.iter_corpus`) and runs the same pure
``Classifier.classify``, so every result, errors included, is identical to a single-process
run; the classifier is shipped to workers once as a task of its own, and each worker
rebuilds its compiled matcher from it. Dask is an optional extra:
``pip install 'tifa-engine[dask]'``; importing this module without it raises ImportError.

Split a large archive into many files (one per year or province, say): files are the unit of
parallelism, and a worker holds the results of one partition in memory until they are written.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import dask
import dask.bag as db

from .corpus import iter_corpus
from .parallel import classify_source, process


def _classify_files(paths: Iterable[str], classifier) -> list[dict]:
    # a list, not a generator: partitions travel between processes as pickles
    return [classify_source(classifier, source) for path in paths for source in iter_corpus(Path(path))]


def _classify_lines(paths: Iterable[str], classifier) -> list[str]:
    # each line made as `tifa classify --format jsonl` makes it (parallel.process); to_textfiles
    # ends each element with a newline of its own
    return [process(classifier, source, "jsonl").body.decode("utf-8").rstrip("\n")
            for path in paths for source in iter_corpus(Path(path))]


def _files_bag(paths: list[str], files_per_partition: int) -> db.Bag:
    return db.from_sequence([str(p) for p in paths], partition_size=files_per_partition)


def results_bag(paths: list[str], classifier, files_per_partition: int = 1) -> db.Bag:
    """A bag of result objects for the records of ``paths`` (see module doc)."""
    shipped = dask.delayed(classifier, traverse=False)
    return _files_bag(paths, files_per_partition).map_partitions(_classify_files, shipped)


def to_jsonl(paths: list[str], classifier, out_pattern: str, files_per_partition: int = 1, **compute_kwargs):
    """Write one JSONL file of results per partition (``out_pattern`` like ``out/part-*.jsonl``):
    the lines ``tifa classify --format jsonl`` writes, made the same way (no evidence objects)."""
    shipped = dask.delayed(classifier, traverse=False)
    lines = _files_bag(paths, files_per_partition).map_partitions(_classify_lines, shipped)
    return lines.to_textfiles(out_pattern, compute=True, last_endline=True, **compute_kwargs)

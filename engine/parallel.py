"""parallel: a stream of sources -> rendered results, in input order, on N processes.

Input: a picklable :class:`engine.pipeline.Classifier`, an iterator of
:class:`engine.corpus.Source`, an output format name, a number of jobs. Output: one
:class:`Done` per source (document id, status, the rendered text of its result, input size),
in exactly the order the sources came in.
Invariants: the result of a document does not depend on ``jobs`` (workers run the same pure
``classify``); sources are read lazily and at most ``window`` chunks are in flight, so memory
stays flat on corpora of any size; documents are sent to workers in chunks (a few dozen
documents or about a megabyte) to keep inter-process overhead small; a run whose input fits
in one chunk never starts a process pool. Rendering happens in the workers, so the parent
only reads input and writes output.
"""
from __future__ import annotations

import json
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Iterable, Iterator

from . import render
from .corpus import Source, resolved

CHUNK_DOCS = 32
CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class Done:
    id: str
    status: str
    body: str | bytes | dict   # the rendered result (UTF-8 bytes for jsonl), or the result itself for "dict"
    size: int


def _json_body(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False, indent=2)


def _review(result: dict) -> str:
    return render.review(result) + "\n"


RENDERERS = {
    "json": _json_body,         # the caller joins bodies into one JSON array
    "jsonl": render.to_jsonl_bytes,   # bytes: the output file takes them as they are
    "csv": render.to_csv_rows,
    "md": render.to_markdown,
    "review": _review,
    "dict": None,               # no rendering: Done.body is the result object itself
}


def default_jobs() -> int:
    """All cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def classify_source(classifier, source: Source, as_json_line: bool = False) -> dict:
    """The result object of one source (error sources become error results).
    ``as_json_line``: see :meth:`engine.pipeline.Classifier.classify`."""
    source = resolved(source)   # a corpus line is read here, in the worker
    if source.error:
        return classifier.error_result(source.id, source.path, "ReadError", source.error)
    if source.text is not None:
        return classifier.classify(source.text, source.id, path=source.path, as_json_line=as_json_line)
    return classifier.classify_bytes(source.data, source.id, source.path, as_json_line=as_json_line)


def process(classifier, source: Source, fmt: str) -> Done:
    # a JSON line needs no evidence objects: the compiled core writes their JSON text
    result = classify_source(classifier, source, as_json_line=fmt == "jsonl")
    renderer = RENDERERS[fmt]
    body = result if renderer is None else renderer(result)
    return Done(result["document"]["id"], result["status"], body, source.size)


# -- worker side ----------------------------------------------------------------------
_WORKER_CLASSIFIER = None


def _init_worker(classifier) -> None:
    global _WORKER_CLASSIFIER
    _WORKER_CLASSIFIER = classifier


def _work(chunk: list[Source], fmt: str) -> list[Done]:
    return [process(_WORKER_CLASSIFIER, s, fmt) for s in chunk]


# -- parent side ----------------------------------------------------------------------
def chunks(sources: Iterable[Source], max_docs: int = CHUNK_DOCS, max_bytes: int = CHUNK_BYTES) -> Iterator[list[Source]]:
    chunk: list[Source] = []
    size = 0
    for s in sources:
        chunk.append(s)
        size += s.size or len(s.text or "") or len(s.data or b"")
        if len(chunk) >= max_docs or size >= max_bytes:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def run(classifier, sources: Iterable[Source], fmt: str = "dict", jobs: int | None = None, *,
        max_docs: int = CHUNK_DOCS, max_bytes: int = CHUNK_BYTES, window: int | None = None) -> Iterator[Done]:
    """Classify and render every source, in order, on ``jobs`` processes (default: all cores)."""
    if fmt not in RENDERERS:
        raise ValueError(f"unknown format {fmt!r}")
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    stream = chunks(sources, max_docs, max_bytes)
    first = next(stream, None)
    if first is None:
        return
    second = next(stream, None) if jobs > 1 else None
    if second is None:  # small input or one job: no pool, no processes
        for s in first:
            yield process(classifier, s, fmt)
        for chunk in stream:
            for s in chunk:
                yield process(classifier, s, fmt)
        return
    window = window or jobs * 3
    pending: deque = deque()
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(classifier,)) as pool:
        def submit(chunk):
            pending.append(pool.submit(_work, chunk, fmt))

        submit(first)
        submit(second)
        for chunk in stream:
            while len(pending) >= window:
                yield from pending.popleft().result()
            submit(chunk)
        while pending:
            yield from pending.popleft().result()

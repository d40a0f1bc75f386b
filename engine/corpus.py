"""corpus: the CLI's input side. Paths -> a stream of documents (id, path, bytes).

Input: the PATH arguments of a command: files, folders (searched recursively for report
files), ``-`` for standard input, and JSON Lines corpora (``*.jsonl``, ``*.jsonl.gz``, named
explicitly: one ``{"id": ..., "text": ...}`` object per line). Output: :class:`Source` values
in a stable order (arguments in the given order, folder contents sorted by relative path,
corpus records in line order). Invariants: documents are yielded one at a time, never all
held in memory (a corpus is read line by line, so memory stays flat whatever its size); a
file that cannot be opened, or a corpus line that is not a valid record, becomes a source
with an ``error`` naming the file (and line) so it still appears in the output.
"""
from __future__ import annotations

import gzip
import json
import os
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

REPORT_SUFFIXES = (".txt", ".text", ".htm", ".html")
CORPUS_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")


@dataclass(frozen=True)
class Source:
    id: str
    path: str | None
    data: bytes | None = None
    text: str | None = None       # already decoded (corpus records)
    error: str | None = None
    size: int = 0                 # input bytes this source consumed (for progress bars)
    # a corpus line not read yet (iter_corpus(raw=True)): :func:`resolved` reads it where the
    # document is classified, so a parent process only passes lines on to its workers
    record: bytes | None = None
    line: int = 0


def _doc_id(path: Path, root: Path | None) -> str:
    rel = path.relative_to(root) if root else Path(path.name)
    name = rel.as_posix()
    for suffix in REPORT_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def _file_source(path: Path, root: Path | None) -> Source:
    shown = str(path)
    try:
        data = path.read_bytes()
        return Source(_doc_id(path, root), shown, data, size=len(data))
    except OSError as exc:
        return Source(_doc_id(path, root), shown, error=f"cannot read {shown}: {exc.strerror or exc}")


def is_corpus(path: str) -> bool:
    return path.lower().endswith(CORPUS_SUFFIXES)


def _record_source(raw: bytes, shown: str, stem: str, number: int) -> Source:
    """One corpus line -> a source; anything but a valid record becomes an error source."""
    where = f"{shown}:{number}"
    fallback = f"{stem}:{number}"
    try:
        record = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        return Source(fallback, shown, error=f"{where}: not a JSON object: {exc}", size=len(raw))
    if not isinstance(record, dict):
        return Source(fallback, shown, error=f"{where}: expected an object {{\"id\": ..., \"text\": ...}}, "
                                             f"found {type(record).__name__}", size=len(raw))
    doc_id = record.get("id")
    doc_id = fallback if doc_id is None or isinstance(doc_id, (dict, list)) else str(doc_id)
    text = record.get("text")
    if not isinstance(text, str):
        what = "record has no \"text\"" if text is None else f"\"text\" is {type(text).__name__}"
        return Source(doc_id, shown, error=f"{where}: {what}; expected a string", size=len(raw))
    return Source(doc_id, shown, text=text, size=len(raw))


def _stem(name: str) -> str:
    """The corpus file name without its suffixes (documents without an id are named after it)."""
    stem = name[: -len(".gz")] if name.lower().endswith(".gz") else name
    return stem.rsplit(".", 1)[0]


def resolved(source: Source) -> Source:
    """A source whose corpus line is read (:func:`iter_corpus` with ``raw=True``); any other as it is."""
    if source.record is None:
        return source
    return _record_source(source.record, source.path, _stem(Path(source.path).name), source.line)


def iter_corpus(path: Path, raw: bool = False) -> Iterator[Source]:
    """The records of a JSON Lines corpus (gzip-compressed when it ends in ``.gz``), streamed.
    ``raw``: each line is left unread in ``Source.record``, for :func:`resolved`."""
    shown = str(path)
    name = path.name
    stem = _stem(name)
    number = 0
    try:
        with (gzip.open(path, "rb") if name.lower().endswith(".gz") else open(path, "rb")) as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                if raw:
                    yield Source(f"{stem}:{number}", shown, size=len(line), record=line, line=number)
                else:
                    yield _record_source(line, shown, stem, number)
    except (OSError, EOFError, zlib.error) as exc:
        where = f"{shown}:{number + 1}" if number else shown
        yield Source(f"{stem}:{number + 1}", shown, error=f"{where}: cannot read the corpus: {exc}")


def iter_sources(paths: list[str], stdin=None, raw_records: bool = False) -> Iterator[Source]:
    """The sources of the PATH arguments; ``raw_records``: corpus lines left unread (see iter_corpus)."""
    for arg in paths:
        if arg == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield Source("stdin", None, stream.read())
            continue
        path = Path(arg)
        if path.is_dir():
            found = sorted((p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES
                            and not any(part.startswith(".") for part in p.relative_to(path).parts)),
                           key=lambda p: p.relative_to(path).as_posix())
            for p in found:
                yield _file_source(p, path)
        elif path.is_file() and is_corpus(arg):
            yield from iter_corpus(path, raw_records)
        elif path.is_file():
            yield _file_source(path, None)
        else:
            yield Source(_doc_id(path, None), str(path), error=f"no such file or folder: {arg}")


def input_size(paths: list[str]) -> int:
    """Bytes the sources of ``paths`` will report in ``Source.size`` (for a progress bar).

    A gzip corpus counts its uncompressed size, read from the gzip trailer (exact below 4 GiB);
    standard input counts 0.
    """
    total = 0
    for arg in paths:
        path = Path(arg)
        try:
            if path.is_dir():
                total += sum(p.stat().st_size for p in path.rglob("*")
                             if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES)
            elif path.is_file() and arg.lower().endswith(".gz"):
                with open(path, "rb") as fh:
                    fh.seek(-4, os.SEEK_END)
                    total += int.from_bytes(fh.read(4), "little")
            elif path.is_file():
                total += path.stat().st_size
        except OSError:
            pass
    return total


def load_manifest_names(paths: list[str]) -> dict[str, str]:
    """Original file name -> document id, from `manifest.yaml` files beside the documents.

    Lets gold files keyed by the original names of renamed documents be matched to them.
    """
    import yaml

    names: dict[str, str] = {}
    folders = set()
    for arg in paths:
        p = Path(arg)
        folders.add(p if p.is_dir() else p.parent)
    for folder in sorted(folders):
        manifest = folder / "manifest.yaml"
        if manifest.exists():
            data = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
            for entry in data.get("documents", []):
                names[entry["original"]] = _doc_id(Path(entry["file"]), None)
    return names


def atomic_write(path: str, chunks) -> None:
    """Write chunks (str, written as UTF-8, or bytes) to `path` through a temporary file, so a
    failure never leaves half a file."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk if type(chunk) is bytes else chunk.encode("utf-8"))
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()

"""corpus: the CLI's input side. Paths -> a stream of documents (id, path, bytes).

Input: the PATH arguments of a command: files, folders (searched recursively for report
files), ``-`` for standard input. Output: :class:`Source` values in a stable order (arguments
in the given order, folder contents sorted by relative path). Invariants: documents are
yielded one at a time, never all held in memory; a file that cannot be opened becomes a
source with an ``error`` so it still appears in the output.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

REPORT_SUFFIXES = (".txt", ".text", ".htm", ".html")


@dataclass(frozen=True)
class Source:
    id: str
    path: str | None
    data: bytes | None = None
    text: str | None = None       # already decoded (corpus records)
    error: str | None = None


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
        return Source(_doc_id(path, root), shown, path.read_bytes())
    except OSError as exc:
        return Source(_doc_id(path, root), shown, error=f"cannot read {shown}: {exc.strerror or exc}")


def iter_sources(paths: list[str], stdin=None) -> Iterator[Source]:
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
        elif path.is_file():
            yield _file_source(path, None)
        else:
            yield Source(_doc_id(path, None), str(path), error=f"no such file or folder: {arg}")


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
    """Write chunks to `path` through a temporary file, so a failure never leaves half a file."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            for chunk in chunks:
                fh.write(chunk)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()

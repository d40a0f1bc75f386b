"""match_hyperscan: an optional native literal scanner (Intel Hyperscan, PyPI ``hyperscan``).

Input: the literal keys of a :class:`engine.match.Matcher` (phrases of rules and the literals
:mod:`engine.prefilter` derived from patterns), each with its entry. Output: the same
``(end_index, entry)`` stream that pyahocorasick's ``Automaton.iter`` gives: every occurrence
of every key, overlapping ones included, ``end_index`` inclusive, in character offsets.
Invariants: identical hits to the portable automaton (a test compares the two), only faster
on text where matches are sparse. A key the matcher needs only once per document (one that
merely gates patterns) is reported once, which spares callbacks on frequent words. The text is scanned as UTF-32-LE, so a character
offset is the byte offset divided by 4 and no offset map is needed; a match that does not
start on a 4-byte boundary straddles two characters and is discarded.
Installed with ``pip install 'tifa-engine[fast]'``; when the module is missing, tifa uses the
portable path and says nothing.
"""
from __future__ import annotations

import hashlib

try:
    import hyperscan
except ImportError:  # the optional extra is not installed
    hyperscan = None


def available() -> bool:
    return hyperscan is not None


# Compiled databases by a digest of their keys and flags, serialized (``hyperscan.dumpb``),
# filled by engine/cache.py from the database it keeps beside a cached rule set: compiling
# 20,000 keys takes ~1 s, loading them back a few milliseconds.
SERIALIZED: dict[str, bytes] = {}


def _digest(keys: list[str], every: list[bool]) -> str:
    h = hashlib.sha256()
    for key, need in zip(keys, every):
        h.update(key.encode("utf-8", "surrogatepass") + (b"\1" if need else b"\2"))
    return h.hexdigest()


def _escaped(key: str) -> bytes:
    return "".join(f"\\x{b:02x}" for b in key.encode("utf-32-le")).encode("ascii")


class HyperscanLiterals:
    """All keys in one Hyperscan block-mode database. Not picklable: rebuilt per process."""

    def __init__(self, keys: list[str], entries: list, every: list[bool] | None = None):
        if hyperscan is None:
            raise ImportError("hyperscan is not installed (pip install 'tifa-engine[fast]')")
        self.entries = entries
        self.db = None
        if keys:
            every = every if every is not None else [True] * len(keys)
            self.digest = _digest(keys, every)
            saved = SERIALIZED.get(self.digest)
            if saved is not None:
                try:
                    self.db = hyperscan.loadb(saved, hyperscan.HS_MODE_BLOCK)
                except Exception:  # built for another CPU or library version: compile again
                    self.db = None
            if self.db is None:
                self.db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
                # every byte escaped: the binding's literal mode stops at NUL bytes, which UTF-32 is full of
                # A key that only gates patterns needs to be seen once per document: SINGLEMATCH
                # spares thousands of callbacks for frequent words (干部, 组织) on dense text.
                flags = [0 if need else hyperscan.HS_FLAG_SINGLEMATCH for need in every]
                self.db.compile(expressions=[_escaped(k) for k in keys], ids=list(range(len(keys))),
                                elements=len(keys), flags=flags)
            self.scratch = hyperscan.Scratch(self.db)

    def serialized(self) -> bytes | None:
        """The compiled database as bytes, for :data:`SERIALIZED` in another process."""
        return hyperscan.dumpb(self.db) if self.db is not None else None

    def iter(self, text: str):
        if self.db is None or not text:
            return []
        found: list[tuple[int, int]] = []
        add = found.append

        def on_match(key, _start, end, _flags, _context):
            if not end & 3:        # ends on a character boundary
                add((key, end))
            return None

        self.db.scan(text.encode("utf-32-le", "surrogatepass"), match_event_handler=on_match, scratch=self.scratch)
        entries = self.entries
        # a key of n characters ending at byte `end` starts at end/4 - n: on a boundary iff
        # its end is; `end // 4 - 1` is the inclusive end index pyahocorasick reports
        return [((end >> 2) - 1, entries[key]) for key, end in found]

"""match_hyperscan: native scanning with Intel Hyperscan (PyPI ``hyperscan``): the literal
scanner of the matcher, and the trap prefilter of the quantity stage (:class:`HyperscanRegions`).

Input: the literal keys of a :class:`engine.match.Matcher` (phrases of rules and the literals
:mod:`engine.prefilter` derived from patterns), each with its entry. Output: the same
``(end_index, entry)`` stream that pyahocorasick's ``Automaton.iter`` gives: every occurrence
of every key, overlapping ones included, ``end_index`` inclusive, in character offsets.
Invariants: identical hits to the portable automaton (a test compares the two), only faster
on text where matches are sparse. A key the matcher needs only once per document (one that
merely gates patterns) is reported once, which spares callbacks on frequent words. The text is scanned as UTF-32-LE, so a character
offset is the byte offset divided by 4 and no offset map is needed; a match that does not
start on a 4-byte boundary straddles two characters and is discarded.
A dependency of tifa wherever Hyperscan has wheels (see pyproject.toml); where the module is
missing, tifa uses the portable path and says nothing.
"""
from __future__ import annotations

import bisect
import hashlib
import pickle
import re

from .patterns import _class_end, replace_anchors, top_alternatives

try:
    import hyperscan
except ImportError:  # a machine Hyperscan has no wheels for
    hyperscan = None

_MISSING = "hyperscan is not installed (pip install hyperscan; it has wheels for x86_64 and arm64)"


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


def _loaded(blob: bytes | None):
    """The database serialized in ``blob``, or None when there is none or it does not load here."""
    if blob is None:
        return None
    try:
        return hyperscan.loadb(blob, hyperscan.HS_MODE_BLOCK)
    except Exception:  # built for another CPU or library version: the caller compiles again
        return None


def _escaped(key: str) -> bytes:
    return "".join(f"\\x{b:02x}" for b in key.encode("utf-32-le")).encode("ascii")


class HyperscanLiterals:
    """All keys in one Hyperscan block-mode database. Not picklable: rebuilt per process."""

    def __init__(self, keys: list[str], entries: list, every: list[bool] | None = None):
        if hyperscan is None:
            raise ImportError(_MISSING)
        self.entries = entries
        self.db = None
        if keys:
            every = every if every is not None else [True] * len(keys)
            self.digest = _digest(keys, every)
            self.db = _loaded(SERIALIZED.get(self.digest))
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
        found: list[tuple[int, object]] = []
        add = found.append
        entries = self.entries

        # a key of n characters ending at byte `end` starts at end/4 - n: on a boundary iff
        # its end is; `end // 4 - 1` is the inclusive end index pyahocorasick reports
        def on_match(key, _start, end, _flags, _context):
            if not end & 3:        # ends on a character boundary
                add(((end >> 2) - 1, entries[key]))
            return None

        self.db.scan(text.encode("utf-32-le", "surrogatepass"), match_event_handler=on_match, scratch=self.scratch)
        return found


# `\uXXXX` is a Python escape; Hyperscan (PCRE syntax) writes it `\x{XXXX}`
_PYTHON_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u([0-9a-fA-F]{4})")


# `regex` syntax that Hyperscan would read as literal text rather than refuse: fuzzy matching
# (`(?:年底){e<=1}`) and VERSION1 set operations (`[[a-z]--[aeiou]]`). Such a pattern gets no gate.
_READ_OTHERWISE = re.compile(r"\{[^}]*[<=>][^}]*\}|\(\?[a-zA-Z]*V1|--|&&|\|\||~~")


def _prefilter_expression(pattern: str) -> bytes:
    # Anchors only restrict where a pattern matches: dropped, the expression matches more, which a
    # prefilter may. (The regexes run per paragraph, whose ends Hyperscan's ^ and $ do not know.)
    unanchored = replace_anchors(pattern, "", "")
    expression = "|".join(_lookbehind_as_class(a) for a in top_alternatives(unanchored))
    return _PYTHON_ESCAPE.sub(r"\1\\x{\2}", expression).encode("utf-8")


def _lookbehind_as_class(alternative: str) -> str:
    r"""``(?<![\d.])0\d+`` -> ``(?:^|[^\d.])0\d+``: a one-character negative lookbehind that
    opens an alternative, as the character it looks at. Prefilter mode drops lookbehinds, so
    ``0\d+`` would flag every paragraph with a year such as 2020; the rewrite still matches
    wherever the alternative does in a paragraph (at its start, or after a character outside
    the class), only one character wider. Anything else is left as it is."""
    if not alternative.startswith("(?<!"):
        return alternative
    i = 4
    ch = alternative[i:i + 1]
    if ch == "[":
        end = _class_end(alternative, i)
        inner = alternative[i + 1:end - 1]
        if not inner or inner.startswith("^"):
            return alternative
    elif ch == "\\":
        end = i + 2
        inner = alternative[i:end]
        if alternative[i + 1:end] not in ("d", "D", "w", "W", "s", "S"):
            return alternative
    elif ch.isalnum():   # a plain character (CJK included), never . or other syntax
        end = i + 1
        inner = ch
    else:
        return alternative
    if alternative[end:end + 1] != ")":
        return alternative
    return f"(?:^|[^{inner}])" + alternative[end + 1:]


class HyperscanRegions:
    """Where regexes may match: each pattern in Hyperscan's prefilter mode, all in one database.

    Prefilter mode compiles a pattern to a superset of its matches (lookarounds and
    back-references are relaxed), so a paragraph where no prefilter match ends cannot hold a
    match of the regex itself. A pattern Hyperscan cannot compile even so,
    or one that can match the empty string, gets no gate (``None``): the caller searches it
    everywhere. Not picklable: rebuilt per process, from :data:`SERIALIZED` when there.
    """

    def __init__(self, patterns: list[str]):
        if hyperscan is None:
            raise ImportError(_MISSING)
        self.count = len(patterns)
        expressions = [_prefilter_expression(p) for p in patterns]
        self.digest = hashlib.sha256(b"regions-joined\0" + b"\0".join(expressions)).hexdigest()
        saved = SERIALIZED.get(self.digest)
        self.gated, blob = pickle.loads(saved) if saved is not None else ([], None)
        self.db = _loaded(blob)
        if self.db is None:
            self.db, self.gated = self._compile(expressions)
            if self.db is not None:   # the next extractor of this process (a test, a worker) loads it
                SERIALIZED[self.digest] = self.serialized()
        self.scratch = hyperscan.Scratch(self.db) if self.db is not None else None

    @staticmethod
    def _compile(expressions: list[bytes]):
        # MULTILINE: the paragraphs are scanned as lines of one text (see paragraphs()), and the
        # ^ that _lookbehind_as_class writes must match at the start of each
        flags = hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_UCP | hyperscan.HS_FLAG_PREFILTER | \
            hyperscan.HS_FLAG_MULTILINE

        def database(ids: list[int]):
            db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            db.compile(expressions=[expressions[i] for i in ids], ids=ids, elements=len(ids), flags=[flags] * len(ids))
            return db

        ok = [i for i, e in enumerate(expressions) if not _READ_OTHERWISE.search(e.decode("utf-8"))]
        if not ok:
            return None, []
        try:
            return database(ok), ok
        except Exception:   # unsupported syntax, or a pattern that matches the empty string: find which
            pass
        good = []
        for i in ok:
            try:
                database([i])
                good.append(i)
            except Exception:
                continue
        return (database(good), good) if good else (None, [])

    def serialized(self) -> bytes | None:
        """The database and the list of gated patterns as bytes, for :data:`SERIALIZED`."""
        return pickle.dumps((self.gated, hyperscan.dumpb(self.db))) if self.db is not None else None

    def paragraphs(self, text: str, paragraphs, wanted=None) -> list[set[int] | None]:
        """For each pattern, the positions (in ``paragraphs``; among ``wanted`` when given) of
        the paragraphs it may match in; ``None`` for a pattern without a gate.

        The paragraphs worth asking about are joined by line breaks and scanned in one call (a
        call per paragraph cost three times as much). Every match a pattern has in a paragraph
        on its own, it has there in the joined text too: anchors are dropped from the
        expressions, and the ``^`` of a rewritten lookbehind matches after each line break
        (MULTILINE). A match that reaches across a line break only adds the paragraph where it
        ends, which the regex then searches for nothing: the sets may be larger, never smaller.
        """
        out: list[set[int] | None] = [None] * self.count
        if self.db is None:
            return out
        for i in self.gated:
            out[i] = set()
        parts, scanned, starts = [], [], []
        at = 0
        for k in range(len(paragraphs)) if wanted is None else sorted(wanted):
            p = paragraphs[k]
            try:
                data = text[p.start:p.end].encode("utf-8")
            except UnicodeEncodeError:   # a lone surrogate is no UTF-8: every pattern may match here
                for i in self.gated:
                    out[i].add(k)
                continue
            parts.append(data)
            scanned.append(k)
            starts.append(at)
            at += len(data) + 1
        if not parts:
            return out
        ends: list[int] = []
        patterns: list[int] = []

        def on_match(pattern, _start, end, _flags, _context):
            ends.append(end)
            patterns.append(pattern)
            return None

        self.db.scan(b"\n".join(parts), match_event_handler=on_match, scratch=self.scratch)
        for end, pattern in zip(ends, patterns):
            # the paragraph holding the match's last byte (a line break counts with the one before)
            out[pattern].add(scanned[bisect.bisect_right(starts, end - 1) - 1])
        return out

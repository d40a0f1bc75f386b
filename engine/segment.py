"""segment: text -> paragraphs with kinds and sections; sentence bounds.

Input: the original text and its view (same length). Output: :class:`Paragraph` values, one
per non-empty line, with ``index`` = the line's 0-based number among all lines (the gold
files count the same way), ``[start, end)`` = the line without its indentation, a ``kind``
(heading, body, boilerplate or closing) and the ``section`` (line index of the heading
whose section the paragraph is in, or None).
Invariants: boilerplate and closing paragraphs are recognised by structure rules from
``rules/boilerplate.yaml`` (their roles are passed in), never by code; headings are short
lines without sentence-final punctuation; the document's title block (headings before the
first body paragraph) opens no section, so a title never labels the paragraphs under it;
a closing paragraph ends the current section.
"""
from __future__ import annotations

import bisect
import functools
from typing import NamedTuple

import regex

SENTENCE_END = "。!?;!?;"
# A heading never ends like a clause or a sentence; ?/! are allowed (question titles).
_NOT_HEADING_END = "。;;,,::、…"


class Paragraph(NamedTuple):
    """A tuple, not a dataclass: reports are split by the thousand paragraphs."""
    index: int
    start: int
    end: int
    kind: str = "body"
    section: int | None = None


# built straight from a tuple of all five fields, past the constructor NamedTuple generates
# (a Python call per paragraph, twice per paragraph of every document)
_paragraph = functools.partial(tuple.__new__, Paragraph)


def split_lines(text: str) -> list[Paragraph]:
    """One provisional body paragraph per non-empty line (``\\n`` separated, ``\\r`` ignored)."""
    out = []
    pos = 0
    for number, line in enumerate(text.split("\n")):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            start = pos + lead
            out.append(_paragraph((number, start, start + len(stripped), "body", None)))
        pos += len(line) + 1
    return out


def looks_like_heading(line: str, min_chars: int, max_chars: int) -> bool:
    """A short line that introduces a section: no full stop inside, no clause-final punctuation."""
    if not (min_chars <= len(line) <= max_chars):
        return False
    if line[-1] in _NOT_HEADING_END or "。" in line:
        return False
    return any("\u4e00" <= ch <= "\u9fff" for ch in line)


def assign_kinds(paragraphs: list[Paragraph], text_view: str, roles: list[set[str]],
                 min_chars: int, max_chars: int) -> list[Paragraph]:
    """Give each paragraph its kind and section, from structure-rule roles and heading shape."""
    out = []
    section: int | None = None
    seen_body = False
    for p, role in zip(paragraphs, roles):
        if "boilerplate" in role:
            out.append(_paragraph((p.index, p.start, p.end, "boilerplate", None)))
            continue
        if "closing" in role:
            section = None  # what follows a closing paragraph belongs to no section
            seen_body = True
            out.append(_paragraph((p.index, p.start, p.end, "closing", None)))
            continue
        # (the length first: most lines are too long to be a heading, and need no copy)
        if min_chars <= p.end - p.start <= max_chars and looks_like_heading(text_view[p.start:p.end], min_chars,
                                                                             max_chars):
            # Headings before any body text are the title block: they open no section.
            section = p.index if seen_body else None
            out.append(_paragraph((p.index, p.start, p.end, "heading", section)))
            continue
        seen_body = True
        out.append(_paragraph((p.index, p.start, p.end, "body", section)))
    return out


_SENTENCE_END = regex.compile("[" + regex.escape(SENTENCE_END) + "]")
_SENTENCE_END_BACK = regex.compile("[" + regex.escape(SENTENCE_END) + "]", regex.REVERSE)


def sentence_bounds(text_view: str, start: int, end: int, hit_start: int, hit_end: int) -> tuple[int, int]:
    """``[s, e)`` of the sentence of paragraph ``[start, end)`` that contains the hit.

    Two searches in C (one backwards) rather than a loop per character: this runs for every
    hit of every rule with `unless`.
    """
    before = _SENTENCE_END_BACK.search(text_view, start, hit_start)
    after = _SENTENCE_END.search(text_view, hit_end, end)
    e = after.start() if after else end
    return (before.end() if before else start), min(e + 1, end)


def sentence_ends(text_view: str, start: int, end: int) -> list[int]:
    """Positions of the sentence-final marks of paragraph ``[start, end)`` (for :func:`sentence_bounds_in`)."""
    return [m.start() for m in _SENTENCE_END.finditer(text_view, start, end)]


def sentence_bounds_in(ends: list[int], start: int, end: int, hit_start: int, hit_end: int) -> tuple[int, int]:
    """:func:`sentence_bounds` from the paragraph's :func:`sentence_ends`: two bisections
    instead of two searches, for paragraphs many hits ask about."""
    i = bisect.bisect_left(ends, hit_start)
    k = bisect.bisect_left(ends, hit_end, i)
    return (ends[i - 1] + 1 if i else start), (ends[k] + 1 if k < len(ends) else end)


def sentences(text_view: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of a paragraph; the final punctuation belongs to its sentence."""
    out = []
    s = start
    for i in sentence_ends(text_view, start, end):
        out.append((s, i + 1))
        s = i + 1
    if s < end:
        out.append((s, end))
    return out

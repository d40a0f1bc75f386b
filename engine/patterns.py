"""patterns: a rule author's regex -> the compiled regex the matcher runs.

Input: a pattern string from a rule file. Output: a compiled ``regex`` pattern.
Invariants: the pattern is normalized like the text (:func:`engine.normalize.view_pattern`);
patterns run over a whole document at once, so ``^`` and ``$`` are rewritten to mean the
start and end of a *paragraph* (a line without its indentation), which is what an author
writing ``^来源:`` means. Matching cost is then one pass per pattern per document.
"""
from __future__ import annotations

import functools

import regex

from .normalize import view_pattern

# Variable-length lookbehind is a `regex` module feature: "^" becomes "after the line start
# and any indentation", so a hit never includes the indentation and stays inside its paragraph.
_START = r"(?<=^[ \t\u3000]*)(?![ \t\u3000])"
_END = r"(?=[ \t\u3000\r]*$)"


def anchor_to_paragraphs(pattern: str) -> str:
    """Rewrite unescaped ``^``/``$`` outside character classes as paragraph anchors."""
    out = []
    i, in_class = 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
            out.append(ch)
        elif ch == "[":
            in_class = True
            out.append(ch)
            # a leading ^ or ] right after [ belongs to the class
            if pattern[i + 1:i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1:i + 2] == "]":
                out.append("]")
                i += 1
        elif ch == "^":
            out.append(_START)
        elif ch == "$":
            out.append(_END)
        else:
            out.append(ch)
        i += 1
    return "".join(out)


@functools.lru_cache(maxsize=None)
def compile_pattern(pattern: str) -> regex.Pattern:
    """Compile a rule pattern as the matcher runs it (raises ``regex.error`` when invalid)."""
    return regex.compile(anchor_to_paragraphs(view_pattern(pattern)), regex.MULTILINE)

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

REGEX_TIMEOUT = 0.5  # seconds per regex call; a rule must never hang a batch

# Variable-length lookbehind is a `regex` module feature: "^" becomes "after the line start
# and any indentation", so a hit never includes the indentation and stays inside its paragraph.
INDENT = r"[ \t\u3000]"   # what may stand before a paragraph's first character on its line
PARAGRAPH_START = _START = rf"(?<=^{INDENT}*)(?!{INDENT})"
_END = r"(?=[ \t\u3000\r]*$)"


def _class_end(pattern: str, i: int) -> int:
    """The index just past the character class that opens at ``pattern[i] == "["`` (a leading
    ``^`` or ``]`` belongs to the class; escapes are skipped)."""
    j, n = i + 1, len(pattern)
    if j < n and pattern[j] == "^":
        j += 1
    if j < n and pattern[j] == "]":
        j += 1
    while j < n and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j + 1


def _syntax(pattern: str, i: int = 0):
    """``(index, character)`` of each character of ``pattern`` from ``i`` on that is regex
    syntax or a plain literal: escapes (backslash and the character after it) and whole
    character classes are stepped over. The walk the small scanners below share: they read
    rule patterns without a full regex parser."""
    n = len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            i += 2
        elif ch == "[":
            i = _class_end(pattern, i)
        else:
            yield i, ch
            i += 1


def anchor_to_paragraphs(pattern: str) -> str:
    """Rewrite unescaped ``^``/``$`` outside character classes as paragraph anchors."""
    return replace_anchors(pattern, _START, _END)


def replace_anchors(pattern: str, at_start: str, at_end: str) -> str:
    """Replace unescaped ``^``/``$`` outside character classes by ``at_start``/``at_end``."""
    out, done = [], 0
    for i, ch in _syntax(pattern):
        if ch == "^" or ch == "$":
            out += [pattern[done:i], at_start if ch == "^" else at_end]
            done = i + 1
    out.append(pattern[done:])
    return "".join(out)


@functools.lru_cache(maxsize=None)
def compile_pattern(pattern: str) -> regex.Pattern:
    """Compile a rule pattern as the matcher runs it (raises ``regex.error`` when invalid)."""
    return regex.compile(matcher_source(pattern), regex.MULTILINE)


def matcher_source(pattern: str) -> str:
    """The text of a rule pattern as the matcher compiles it (``compile_pattern(p).pattern``)."""
    return anchor_to_paragraphs(view_pattern(pattern))


#: rule pattern -> the flags of its compiled form, kept by engine/cache.py beside the rule set:
#: with them a warm start knows each pattern's flags (inline ones such as ``(?i)`` included)
#: without compiling it
FLAGS: dict[str, int] = {}


class LazyPattern:
    """A rule pattern that is compiled the first time it is used.

    Compiling costs ~0.3 ms a pattern in ``regex``'s own parser: 0.45 s at every start with the
    shipped rules, and most patterns of a large rule set never run on a given document (they are
    gated by literals). ``pattern`` and ``flags`` are those of :func:`compile_pattern`'s result
    (``flags`` from :data:`FLAGS` when known); ``compiled``, ``finditer``, ``match`` and
    ``search`` compile it. Those become plain attributes then (the compiled pattern's own
    methods), so later calls cost what calls of the compiled pattern cost.
    """

    def __init__(self, source: str):
        self.source = source
        self.pattern = matcher_source(source)

    def __getattr__(self, name: str):
        # only for attributes not set yet
        if name == "flags":
            flags = FLAGS.get(self.source)
            if flags is not None:
                return flags
            FLAGS[self.source] = self.compiled.flags
            return FLAGS[self.source]
        if name in ("compiled", "finditer", "match", "search"):
            compiled = compile_pattern(self.source)
            self.compiled = compiled
            self.finditer, self.match, self.search = compiled.finditer, compiled.match, compiled.search
            return getattr(self, name)
        raise AttributeError(name)

    def __reduce__(self):
        return LazyPattern, (self.source,)

    def __repr__(self) -> str:
        return f"LazyPattern({self.source!r})"


_UNBOUNDED = regex.compile(r"(?:[*+]|\{\d*,\})")


def nested_quantifier(pattern: str) -> str | None:
    """The first group that repeats an unbounded repetition, e.g. ``(a+)+`` or ``(?:\\w*,)*``.

    Such groups can backtrack exponentially on a near miss. A possessive repetition (``a++``,
    ``\\d*+``, ``{2,}+``) or an atomic group (``(?>...)``) gives nothing back, so it cannot be
    tried again in another split and does not count. A small scanner, not a full regex
    parser: it tracks groups and escapes and character classes, which covers rule patterns.
    """
    stack: list[tuple[int, bool, bool]] = []   # (start offset, contains an unbounded quantifier, atomic)
    possessive_mark = -1   # the offset of the "+" that makes the quantifier before it possessive
    for i, ch in _syntax(pattern):
        if i == possessive_mark:
            continue
        if ch == "(":
            stack.append((i, False, pattern.startswith("(?>", i)))
        elif ch == ")" and stack:
            start, inner, atomic = stack.pop()
            inner = inner and not atomic
            after = _UNBOUNDED.match(pattern, i + 1)
            if after and pattern[after.end():after.end() + 1] == "+":
                possessive_mark = after.end()
                after = None
            if inner and after:
                return pattern[start:after.end()]
            if stack and (inner or after):
                stack[-1] = (stack[-1][0], True, stack[-1][2])
        else:
            unbounded = _UNBOUNDED.match(pattern, i)
            if unbounded and pattern[unbounded.end():unbounded.end() + 1] == "+":
                possessive_mark = unbounded.end()
            elif unbounded and stack:
                stack[-1] = (stack[-1][0], True, stack[-1][2])
    return None


def needs_timeout(pattern: str) -> bool:
    """Whether a call on a short string (a sentence, a clause, a paragraph) must still carry
    the timeout.

    ``timeout=`` is dear: a call costs a few µs more, and a scan with it runs 2-4x slower
    (``regex`` looks at the clock as it goes), while such calls are made thousands of times
    per megabyte. Without nested unbounded repetitions or backreferences a pattern cannot
    backtrack badly on a few thousand characters, so only the patterns ``rules check`` warns
    about keep it there; whole-document scans always have it.
    """
    return nested_quantifier(pattern) is not None or regex.search(r"\\(?:[1-9]|g<)|\(\?P=", pattern) is not None


TIMEOUT_CALL = {"timeout": REGEX_TIMEOUT}
SHORT_SPAN = 2000   # characters: longer lines and sentences (text without line breaks) keep the timeout


def short_call(pattern: str) -> dict:
    """Keyword arguments for a call of a pattern on one line, sentence or clause."""
    return TIMEOUT_CALL if needs_timeout(pattern) else {}


def call_for(call: dict, length: int) -> dict:
    """``call`` (from :func:`short_call`) for a span of ``length`` characters: the timeout
    again when the span is long, since even a well-formed pattern can be slow on a huge line."""
    return call if length <= SHORT_SPAN else TIMEOUT_CALL


def starts_at_paragraph(compiled: regex.Pattern) -> bool:
    """True when every match of a compiled rule pattern starts at a paragraph start (``^...``
    with no top-level alternative that drops the anchor), so the matcher only has to try the
    first character of each line instead of scanning every position."""
    source = compiled.pattern
    if not source.startswith(_START) or compiled.match("") is not None:
        return False
    return len(top_alternatives(source[len(_START):])) == 1


def top_alternatives(pattern: str) -> list[str]:
    """``pattern`` split at its top-level ``|``."""
    parts, depth, done = [], 0, 0
    for i, ch in _syntax(pattern):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[done:i])
            done = i + 1
    parts.append(pattern[done:])
    return parts

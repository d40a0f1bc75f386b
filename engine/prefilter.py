"""prefilter: a rule's regex -> the literals that let one automaton pass stand in for it.

Input: one regular expression as the matcher compiles it (already normalized by
``view_pattern``). Output: a :class:`Plan`, one of
- ``expand``: the pattern is a *finite language of literals* (literal characters, groups,
  alternation, small character classes, ``?`` and small bounded repeats, no anchors or
  flags). Its strings are listed in the regex engine's *priority order*; at any position,
  the backtracking engine returns the first string of that order that occurs there. So the
  pattern's ``finditer`` matches are exactly: the occurrences found by the automaton, at each
  start the one of lowest priority index, chosen left to right without overlap.
- ``verify``: the same, except that anchors or lookarounds (``组织力(?!量)``, ``^来源``) decide
  whether a string matches; the regex is then tried (``match``) only at the places where one
  of the strings starts, left to right, each search resuming where the last match ended,
  which is exactly how ``finditer`` walks. When the only context is a negative lookbehind or
  lookahead of literals around each branch, :func:`conditions` says which strings, and the
  characters around an occurrence decide it without the regex.
- ``gate``: up to three sets of literals; every match contains at least one literal of each
  set. Unless each set has a literal in a document the pattern cannot match there, so its
  ``finditer`` is skipped. A set may come from a run of finite items (``(引|育)才``: 引才 or
  育才), be one symbol (©), or unite the sets of an alternation's branches slot by slot.
  ``width``: the longest match, when the pattern has no lookahead or anchor; matches then lie
  within it of a literal of each set.
- ``always``: nothing usable was found (regex-module-only syntax other than ``\\p{Han}`` and
  its kin, case folding, only very short factors); the pattern runs on every document, except
  that for case folding :func:`caseless_groups` gives literal sets the matcher looks for with
  a search of its own (with the pattern's folding) before running it.
:func:`first_line_groups` gives a line-start pattern's literals on its first line;
:func:`required_groups` gives literal sets for checks made one literal at a time.
Invariants: a plan never changes the hits; it only decides what the automaton does in the
regex engine's place. Anything the analysis does not fully understand gets ``always``.
Parsing uses the standard library's regular-expression parser; the ``regex`` module accepts
a superset of that syntax with the same meaning for this subset, and any pattern the
standard parser rejects simply runs as a regex.
"""
from __future__ import annotations

import itertools
import unicodedata
from dataclasses import dataclass

import regex

try:  # Python >= 3.11
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as P  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]

MAX_EXPANSION = 256      # strings a finite pattern may expand to before we give up
MAX_CLASS = 16           # characters in a class that is still expanded
MIN_GATE_CHARS = 2       # a one-character gate fires everywhere and would only cost time


MAX_GATES = 3            # literal sets required together (each one any-of)
MAX_RUN_STRINGS = 64     # strings a run of finite items may stand for in one literal set


@dataclass(frozen=True)
class Plan:
    kind: str                       # "expand" | "verify" | "gate" | "always"
    strings: tuple[str, ...] = ()   # expand: priority order; verify: every string; gate: every literal of every group
    groups: tuple[tuple[str, ...], ...] = ()   # gate: each group is any-of; all groups are required
    # gate: the longest possible match when it is bounded and the pattern has no anchors or
    # lookarounds; a match then lies within `width` characters of a literal of every group
    width: int | None = None


class _Give(Exception):
    """The pattern is outside the subset this module understands."""


# ------------------------------------------------------------------ expansion ---

def _expand_seq(items, context: bool = False) -> list[str]:
    out = [""]
    for op, av in items:
        choices = _expand_item(op, av, context)
        out = [a + b for a, b in itertools.product(out, choices)]
        if len(out) > MAX_EXPANSION:
            raise _Give
    return out


def _expand_item(op, av, context: bool = False) -> list[str]:
    if context and op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return [""]   # zero-width: the verifying regex call decides it (plan kind "verify")
    if op is C.LITERAL:
        return [chr(av)]
    if op is C.IN:
        chars = []
        for iop, iav in av:
            if iop is C.LITERAL:
                chars.append(chr(iav))
            elif iop is C.RANGE and iav[1] - iav[0] < MAX_CLASS:
                chars.extend(chr(c) for c in range(iav[0], iav[1] + 1))
            else:  # NEGATE, CATEGORY, big ranges
                raise _Give
        if len(chars) > MAX_CLASS:
            raise _Give
        # only one character of a class can match at a position: order is irrelevant
        return list(dict.fromkeys(chars))
    if op is C.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        if add_flags or del_flags:
            raise _Give
        return _expand_seq(sub, context)
    if op is C.BRANCH:
        out: list[str] = []
        for branch in av[1]:
            out.extend(_expand_seq(branch, context))   # earlier branches have priority
            if len(out) > MAX_EXPANSION:
                raise _Give
        return out
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        lo, hi, sub = av
        if hi is C.MAXREPEAT or hi > 4:
            raise _Give
        return _repeat(_expand_seq(sub, context), lo, hi, greedy=op is C.MAX_REPEAT)
    raise _Give  # ANY, AT (anchors), GROUPREF, ASSERT, CATEGORY, POSSESSIVE_REPEAT, ATOMIC_GROUP ...


def _repeat(body: list[str], lo: int, hi: int, greedy: bool) -> list[str]:
    """Priority order of ``body{lo,hi}``: a greedy repeat tries one more copy (each choice in
    turn, and everything after it) before it settles for stopping; a lazy one stops first."""
    if hi == 0:
        return [""]
    more = [c + rest for c in body for rest in _repeat(body, max(lo - 1, 0), hi - 1, greedy)]
    if len(more) > MAX_EXPANSION:
        raise _Give
    stop = [""] if lo == 0 else []
    return more + stop if greedy else stop + more


# ------------------------------------------------------------------ factors ---

def _selective(literals: frozenset[str], min_chars: int) -> bool:
    """Whether the automaton may stand guard on this set: every literal has ``min_chars``
    characters, or is one symbol (© ® ℃ ×), which is rare in any report."""
    return bool(literals) and all(len(x) >= min_chars or (len(x) == 1 and unicodedata.category(x) in _SYMBOLS)
                                  for x in literals)


_SYMBOLS = {"So", "Sm", "Sc"}


def _best(candidates: list[frozenset[str]], min_chars: int = MIN_GATE_CHARS) -> frozenset[str] | None:
    good = [c for c in candidates if _selective(c, min_chars)]
    if not good:
        return None
    return max(good, key=lambda c: (min(map(len, c)), -len(c)))


def _factors_seq(items, min_chars: int = MIN_GATE_CHARS, join: bool = True) -> frozenset[str] | None:
    """Literals of which every match of the sequence contains one (None: no such set known)."""
    return _best(_candidates_seq(items, min_chars, join), min_chars)


def _candidates_seq(items, min_chars: int = MIN_GATE_CHARS, join: bool = True) -> list[frozenset[str]]:
    """Every literal set found along the sequence; a match contains one literal of *each*.

    With ``join``, consecutive items with finitely many strings (literals, small classes and
    alternations, ``?``) join into one set of their concatenations: ``(引|育)才`` gives
    {引才, 育才}, where its items alone give nothing of two characters. That suits the
    automaton, which looks for any number of strings at once; checks that test literals one
    by one (``str.count``, ``in``) want few, short ones, and join only plain characters."""
    candidates: list[frozenset[str]] = []
    run: list[str] | None = None    # the strings the current run of finite items can match
    for op, av in items:
        strings = _finite(op, av) if join else ([chr(av)] if op is C.LITERAL else None)
        if strings is not None:
            joined = [a + b for a in run for b in strings] if run is not None else strings
            if len(joined) <= MAX_RUN_STRINGS:
                run = joined
                continue
        if run is not None:
            candidates.append(_shortest(run))
        run = strings
        if strings is None:
            f = _factors_item(op, av, min_chars, join)
            if f is not None:
                candidates.append(f)
    if run is not None:
        candidates.append(_shortest(run))
    return candidates


def _shortest(strings: list[str]) -> frozenset[str]:
    """The strings that hold none of the others: a text holding any of the set holds one of
    these (``\\[?来源`` needs 来源, not also [来源)."""
    ordered = sorted(set(strings), key=len)
    kept: list[str] = []
    for x in ordered:
        if not any(k in x for k in kept):
            kept.append(x)
    return frozenset(kept)


def _finite(op, av) -> list[str] | None:
    """The strings one item can match, when they are few; None otherwise (and for anchors and
    lookarounds, which consume nothing but are not free to drop from a concatenation)."""
    try:
        strings = _expand_item(op, av)
    except (_Give, RecursionError):
        return None
    return strings if len(strings) <= MAX_RUN_STRINGS else None


def _factors_item(op, av, min_chars: int = MIN_GATE_CHARS, join: bool = True) -> frozenset[str] | None:
    if op is C.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        if add_flags or del_flags:
            return None
        return _factors_seq(sub, min_chars, join)
    if op is C.ATOMIC_GROUP:
        return _factors_seq(av, min_chars, join)
    if op is C.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            f = _factors_seq(branch, min_chars, join)
            if f is None:
                return None
            union |= f
        return frozenset(union)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
        lo, _hi, sub = av
        return _factors_seq(sub, min_chars, join) if lo >= 1 else None
    return None


# ------------------------------------------------------------------ entry ---

# (pattern, flags) -> Plan; filled by plan() and by engine.cache from a cached rule set
MEMO: dict[tuple[str, int], Plan] = {}


def plan(pattern: str, flags: int = 0) -> Plan:
    """How the matcher can run ``pattern`` (compiled with ``flags``) through the literal
    automaton (see module doc). MULTILINE and DOTALL only change anchors and ``.``, which
    expansion refuses and factor search skips; case folding is refused outright."""
    key = (pattern, flags)
    found = MEMO.get(key)
    if found is None:
        found = MEMO[key] = _plan(pattern, flags)
    return found


MAX_OVERLAP_CHECK = 64   # strings of an expansion still checked pairwise by overlap_free


def overlap_free(strings) -> bool:
    """True when no two occurrences of these strings can overlap (one string twice included)
    and none holds another: then every occurrence of every string is a ``finditer`` match of
    the pattern they expand, so the matcher counts them as it counts a rule's phrases."""
    if not strings or len(strings) > MAX_OVERLAP_CHECK or "" in strings:
        return False
    for a in strings:
        for b in strings:
            if a != b and a in b:
                return False
            # a proper suffix of `a` that begins `b`: an occurrence of b can start inside one of a
            for k in range(1, min(len(a), len(b))):
                if a.endswith(b[:k]):
                    return False
    return True


def conditions(pattern: str, flags: int = 0) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] | None:
    """For a ``verify`` pattern whose only context is a negative lookbehind before a branch
    and a negative lookahead after it, each of a finite set of strings (``(?<!干部)人才``,
    ``基层|组织力(?!量)``): per string of its plan, in plan order, ``(not_before, not_after)``,
    the strings that must not end right before it or start right after it. A string then
    matches where it occurs and neither holds, with no regex call. None for anything else
    (other assertions, anchors, a string in two branches)."""
    parsed = _parse(pattern, flags)
    if parsed is None:
        return None
    branches = _branches(list(parsed))
    found: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    try:
        for branch in branches:
            branch = list(branch)
            before: list[str] = []
            after: list[str] = []
            while branch and branch[0][0] is C.ASSERT_NOT and branch[0][1][0] < 0:
                before += _expand_seq(list(branch.pop(0)[1][1]))
            while branch and branch[-1][0] is C.ASSERT_NOT and branch[-1][1][0] > 0:
                after += _expand_seq(list(branch.pop()[1][1]))
            for string in _expand_seq(branch):
                if not string or string in found:
                    return None
                found[string] = (tuple(dict.fromkeys(before)), tuple(dict.fromkeys(after)))
    except (_Give, RecursionError):
        return None
    if "" in {x for b, a in found.values() for x in b + a}:
        return None
    strings = plan(pattern, flags).strings
    if set(strings) != set(found):
        return None
    return tuple(found[x] for x in strings)


_NEWLINE = ord("\n")
# character categories that hold a line break (\s, \D, \W); \S, \d and \w do not
_CATEGORY_NEWLINE = {C.CATEGORY_SPACE: True, C.CATEGORY_NOT_SPACE: False, C.CATEGORY_DIGIT: False,
                     C.CATEGORY_NOT_DIGIT: True, C.CATEGORY_WORD: False, C.CATEGORY_NOT_WORD: True}


def _newline_in(items, dotall: bool) -> bool:
    for op, av in items:
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue
        if op is C.LITERAL:
            found = av == _NEWLINE
        elif op is C.NOT_LITERAL:
            found = av != _NEWLINE
        elif op is C.ANY:
            found = dotall
        elif op is C.CATEGORY:
            found = _CATEGORY_NEWLINE.get(av, True)
        elif op is C.IN:
            found = _class_has_newline(av)
        elif op is C.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            found = _newline_in(sub, dotall or bool(add_flags & C.SRE_FLAG_DOTALL))
        elif op is C.BRANCH:
            found = any(_newline_in(branch, dotall) for branch in av[1])
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT) or op is getattr(C, "POSSESSIVE_REPEAT", None):
            found = av[1] > 0 and _newline_in(av[2], dotall)
        elif op is getattr(C, "ATOMIC_GROUP", None):
            found = _newline_in(av, dotall)
        else:
            raise _Give  # back-references and the rest: unsure
        if found:
            return True
    return False


def _class_has_newline(items) -> bool:
    negated = bool(items) and items[0][0] is C.NEGATE
    listed = False
    for op, av in items[1:] if negated else items:
        if op is C.LITERAL:
            listed = listed or av == _NEWLINE
        elif op is C.RANGE:
            listed = listed or av[0] <= _NEWLINE <= av[1]
        elif op is C.CATEGORY:
            if _CATEGORY_NEWLINE.get(av, True):
                listed = True
        else:
            raise _Give
    return listed != negated


# Unicode properties (regex-module syntax) that hold one character and never a line break.
# For the analysis, \p{Han} stands in as \d and \P{Han} as \D: classes of one character that
# expansion refuses, that hold no literal, and that agree on whether a line break is in them
# (also negated, in brackets). Other properties stay unknown to the standard parser.
_PROPERTY = regex.compile(r"(?<!\\)((?:\\\\)*)\\([pP])\{(?:Han|Hani|Script=Han|sc=Han|L|Letter|Lo|Lu|Ll|N|Nd)\}")


def _as_category(m) -> str:
    return m.group(1) + ("\\d" if m.group(2) == "p" else "\\D")


def _parse(pattern: str, flags: int, caseless: bool = False):
    """The standard parser's tree of a pattern, or None for case folding (refused outright,
    unless ``caseless``: then the tree holds the literals as written) and regex-module syntax
    the standard parser does not know."""
    if flags & C.SRE_FLAG_IGNORECASE and not caseless:
        return None
    if "\\p" in pattern or "\\P" in pattern:
        pattern = _PROPERTY.sub(_as_category, pattern)
    try:
        parsed = P.parse(pattern, flags & (C.SRE_FLAG_VERBOSE | C.SRE_FLAG_MULTILINE | C.SRE_FLAG_DOTALL))
    except Exception:
        return None
    return None if parsed.state.flags & C.SRE_FLAG_IGNORECASE and not caseless else parsed


def caseless_groups(pattern: str, flags: int) -> tuple[tuple[str, ...], ...]:
    """Literal sets of a pattern with case folding, which :func:`plan` refuses: every match
    holds one literal of each set *in some case* (the literals as written, since folding only
    widens what each character matches), so a search for each set with the pattern's own
    folding rules a document out or in. None under full case folding (``regex.FULLCASE``,
    on by default in ``regex.V1``), where one character may stand for two and a fold may
    straddle a literal's edge."""
    if flags & (regex.FULLCASE | regex.V1) or "(?f" in pattern or "(?V1" in pattern:
        return ()
    parsed = _parse(pattern, flags, caseless=True)
    if parsed is None:
        return ()
    try:
        return _ranked_groups(_candidates_seq(list(parsed)), MIN_GATE_CHARS)
    except RecursionError:
        return ()


def _ranked_groups(candidates: list[frozenset[str]], min_chars: int) -> tuple[tuple[str, ...], ...]:
    """Up to MAX_GATES literal sets, the most selective first (longest shortest literal, then
    fewest literals), each sorted."""
    good = sorted({c for c in candidates if _selective(c, min_chars)},
                  key=lambda c: (-min(map(len, c)), len(c), sorted(c)))[:MAX_GATES]
    return tuple(tuple(sorted(c)) for c in good)


def _plan(pattern: str, flags: int) -> Plan:
    parsed = _parse(pattern, flags)
    if parsed is None:
        return Plan("always")
    items = list(parsed)
    try:
        strings = _expand_seq(items)
    except (_Give, RecursionError):
        strings = None
    if strings is not None:
        if strings and all(strings):   # an empty alternative would change what finditer reports
            return Plan("expand", tuple(dict.fromkeys(strings)))
        return Plan("always")
    try:
        # the text a match consumes is one of finitely many strings, but anchors or lookarounds
        # decide whether it matches: the regex is tried only where one of those strings starts
        verify = _expand_seq(items, context=True)
    except (_Give, RecursionError):
        verify = None
    if verify and all(verify):
        return Plan("verify", tuple(dict.fromkeys(verify)))
    try:
        candidates = _candidates_seq(items)
    except RecursionError:
        candidates = []
    # Every candidate set is necessary, so requiring several at once is still exact and
    # far more selective than one: 干部.{0,2}能下 runs only where both words occur.
    groups = _ranked_groups(candidates, MIN_GATE_CHARS)
    if len(groups) == 1:
        groups = _alternation_groups(items) or groups
    if groups:
        return Plan("gate", tuple(sorted({x for g in groups for x in g})), groups, _window(parsed))
    return Plan("always")


def _branches(items) -> list:
    """The branches of a pattern that is one alternation, maybe inside plain groups (``A|B``,
    ``(?:A|B)``); any other pattern is one branch, its plain groups around it taken off."""
    while len(items) == 1 and items[0][0] is C.SUBPATTERN and not (items[0][1][1] or items[0][1][2]):
        items = list(items[0][1][3])
    return list(items[0][1][1]) if len(items) == 1 and items[0][0] is C.BRANCH else [items]


def _alternation_groups(items) -> tuple[tuple[str, ...], ...]:
    """For a pattern that is one alternation (A|B): several literal sets where each branch
    has as many. Slot j unites the j-th set of every branch, and a match of any branch holds
    one literal of each slot. The one set that factor search finds there is slot 0 alone:
    (落户|就医).{0,9}人才|人才.{0,9}(落户|就医) gives {人才} and {落户, 就医}, not just {人才}."""
    branches = _branches(items)
    if len(branches) < 2:
        return ()
    try:
        ranked = [_ranked_groups(_candidates_seq(branch), MIN_GATE_CHARS) for branch in branches]
    except RecursionError:
        return ()
    slots = min(map(len, ranked))
    if slots < 2:
        return ()
    united = {frozenset(x for r in ranked for x in r[j]) for j in range(slots)}
    return _ranked_groups([_shortest(list(u)) for u in united], MIN_GATE_CHARS)


_CONTEXT_OPS = {C.AT, C.ASSERT, C.ASSERT_NOT, C.GROUPREF, getattr(C, "GROUPREF_EXISTS", C.GROUPREF)}
MAX_WINDOW = 200


def _context_free(items) -> bool:
    """No anchors, lookaheads or back-references anywhere: a match does not depend on the
    text after it, so searching a window of the text finds exactly the matches inside it.
    Lookbehinds may stay: ``regex`` evaluates them on the text before the window's start too
    (``(?<!乡)村`` searched from the 村 of 乡村 finds nothing), while a lookahead or ``$``
    would stop at the window's end."""
    for op, av in items:
        if op in (C.ASSERT, C.ASSERT_NOT) and av[0] < 0:
            if not _context_free(av[1]):
                return False
            continue
        if op in _CONTEXT_OPS:
            return False
        if op is C.SUBPATTERN and not _context_free(av[3]):
            return False
        if op is C.ATOMIC_GROUP and not _context_free(av):
            return False
        if op is C.BRANCH and not all(_context_free(b) for b in av[1]):
            return False
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)) and not _context_free(av[2]):
            return False
    return True


def _window(parsed) -> int | None:
    try:
        _lo, hi = parsed.getwidth()
        if hi > MAX_WINDOW or not _context_free(list(parsed)):
            return None
    except Exception:
        return None
    return hi



def first_line_groups(pattern: str, flags: int = 0, min_chars: int = MIN_GATE_CHARS) -> tuple[tuple[str, ...], ...]:
    """For a pattern whose matches start at a line's first character: up to three sets of
    literals (as in gate plans) that every match holds *on that first line*, found in the
    leading items that cannot consume a line break; () when there are none. A line without
    a literal of each set cannot start a match. ``min_chars=1``: sets for ``str.find``, single
    characters included (``-`` of a date), joining only plain characters."""
    parsed = _parse(pattern, flags)
    if parsed is None:
        return ()
    dotall = bool(parsed.state.flags & C.SRE_FLAG_DOTALL)
    prefix = []
    for item in parsed:
        try:
            if _newline_in([item], dotall):
                break
        except _Give:
            break
        prefix.append(item)
    try:
        return _ranked_groups(_candidates_seq(prefix, min_chars, join=min_chars >= MIN_GATE_CHARS), min_chars)
    except RecursionError:
        return ()


def required_groups(pattern: str, flags: int = 0) -> tuple[tuple[str, ...], ...] | None:
    """Up to three sets of literals, single characters included, such that every match of
    ``pattern`` holds one literal of each set; None when none is known.

    For patterns run line by line (quantity traps): a line without a literal of every set
    cannot hold a match, and ``str.count`` / ``str.find`` find those lines in C, where a
    one-character literal (@, ·, 月) is cheap and selective enough.
    """
    parsed = _parse(pattern, flags)
    if parsed is None:
        return None
    try:
        candidates = _candidates_seq(list(parsed), min_chars=1, join=False)
    except Exception:  # too deep
        return None
    return _ranked_groups(candidates, 1) or None

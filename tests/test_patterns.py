"""patterns: ^ and $ mean paragraph start and end, even inside a whole document."""
from __future__ import annotations

import pytest

from engine.normalize import view
from engine.patterns import anchor_to_paragraphs, compile_pattern


@pytest.mark.parametrize("pattern,expected", [
    ("^来源:", r"(?<=^[ \t\u3000]*)(?![ \t\u3000])来源:"),
    ("[^a]$", r"[^a](?=[ \t\u3000\r]*$)"),
    (r"a\^b\$", r"a\^b\$"),
    ("[]^$]x", "[]^$]x"),
])
def test_anchor_rewrite(pattern, expected):
    assert anchor_to_paragraphs(pattern) == expected


def test_anchors_match_at_indented_line_starts_without_the_indentation():
    doc = view("正文第一段。\n  来源:红网\n\u3000\u3000评分\r\n")
    hits = [(m.start(), m.group()) for m in compile_pattern("^(来源:红网|评分)$").finditer(doc)]
    assert hits == [(9, "来源:红网"), (17, "评分")]


def test_anchor_does_not_match_mid_line():
    assert not compile_pattern("^来源:").search(view("本报记者来源:红网"))


def test_traditional_and_full_width_in_patterns():
    assert compile_pattern("黨建引領（基層）").search(view("推动党建引领(基层)治理"))


@pytest.mark.parametrize("pattern, risky", [
    ("干部.{0,4}培训", False),
    ("(党建)+引领", False),
    ("(a+)+b", True),                 # nested unbounded repetition
    (r"(党员)\1", True),              # back-reference
    (r"(?P<x>a)(?P=x)", True),
])
def test_only_risky_patterns_keep_the_timeout_on_short_spans(pattern, risky):
    from engine.patterns import REGEX_TIMEOUT, call_for, needs_timeout, short_call
    assert needs_timeout(pattern) is risky
    call = short_call(pattern)
    assert call == ({"timeout": REGEX_TIMEOUT} if risky else {})
    # a very long line or sentence gets the timeout back, whatever the pattern
    assert call_for(call, 100_000) == {"timeout": REGEX_TIMEOUT}
    assert call_for(call, 50) == call


@pytest.mark.parametrize("pattern, anchored", [
    ("^来源", True),
    ("^(来源|作者)[:：]", True),
    ("^来源|作者", False),            # the second alternative is not anchored
    ("来源^", False),
    ("^(来源)?", False),              # can match the empty string
])
def test_paragraph_start_patterns_are_recognised(pattern, anchored):
    from engine.patterns import starts_at_paragraph
    assert starts_at_paragraph(compile_pattern(pattern)) is anchored

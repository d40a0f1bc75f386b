"""segment: paragraphs, headings, sections, sentences."""
from __future__ import annotations

import random

from engine.normalize import view
from engine.segment import (SENTENCE_END, assign_kinds, looks_like_heading, sentence_bounds, sentence_bounds_in,
                            sentence_ends, sentences, split_lines)

DOC = "报告标题:坚持更高标准\n\n  引言一段正文。\n坚持以政治建设为统领\n正文第一段,深化理论武装。\n全省组织部门将继续努力。\n结尾后的段落。\n"


def test_split_lines_counts_all_lines_and_strips_indentation():
    ps = split_lines(DOC)
    assert [p.index for p in ps] == [0, 2, 3, 4, 5, 6]
    assert [DOC[p.start:p.end] for p in ps][1] == "引言一段正文。"


def test_headings_are_short_lines_without_final_punctuation():
    assert looks_like_heading("坚持以政治建设为统领", 6, 40)
    assert looks_like_heading("【解读党代会精神】如何锤炼过硬干部队伍?", 6, 40)
    assert not looks_like_heading("正文第一段,深化理论武装。", 6, 40)
    assert not looks_like_heading("评分", 6, 40)
    assert not looks_like_heading("市委组织部常务副部长 李余粮:", 6, 40)
    assert not looks_like_heading("这是一个非常长的句子但没有句号" * 4, 6, 40)


def test_title_block_opens_no_section_and_closing_ends_one():
    ps = split_lines(DOC)
    roles = [set(), set(), set(), set(), {"closing"}, set()]
    kinds = assign_kinds(ps, view(DOC), roles, 6, 40)
    assert [(p.kind, p.section) for p in kinds] == [
        ("heading", None),   # title block
        ("body", None),      # intro before any section
        ("heading", 3),
        ("body", 3),
        ("closing", None),
        ("body", None),      # after the closing pledge: no section
    ]


def test_boilerplate_role_wins():
    ps = split_lines("来源:红网\n正文。\n")
    kinds = assign_kinds(ps, view("来源:红网\n正文。\n"), [{"boilerplate"}, set()], 6, 40)
    assert [p.kind for p in kinds] == ["boilerplate", "body"]


def test_sentences_and_sentence_bounds():
    text = "第一句话。第二句话;第三句"
    assert sentences(text, 0, len(text)) == [(0, 5), (5, 10), (10, 13)]
    assert sentence_bounds(text, 0, len(text), 6, 8) == (5, 10)
    assert sentence_bounds(text, 0, len(text), 11, 12) == (10, 13)


def test_sentence_bounds_from_sentence_ends_agree_with_the_searches():
    # filter_hits takes a paragraph's sentence ends once and bisects them for each hit
    rng = random.Random(5)
    for _ in range(3000):
        text = "".join(rng.choice("党建…\n强基" + SENTENCE_END) for _ in range(rng.randint(1, 30)))
        start = rng.randint(0, len(text) - 1)
        end = rng.randint(start + 1, len(text))
        hit_start = rng.randint(start, end - 1)
        hit_end = rng.randint(hit_start + 1, end)
        ends = sentence_ends(text, start, end)
        assert sentence_bounds_in(ends, start, end, hit_start, hit_end) == \
            sentence_bounds(text, start, end, hit_start, hit_end), (text, start, end, hit_start, hit_end)

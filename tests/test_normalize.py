"""normalize: the view keeps offsets, so evidence always points at the original characters."""
from __future__ import annotations

import regex

from engine.normalize import QUOTE, detect_script, view, view_pattern


def test_view_has_the_same_length_and_maps_character_by_character():
    text = "堅持以習近平新時代中國特色社會主義思想為指導,做到「兩個維護」，培訓幹部２３０萬人次　"
    v = view(text)
    assert len(v) == len(text)
    assert "习近平新时代中国特色社会主义思想" in v
    assert f"{QUOTE}两个维护{QUOTE}" in v
    assert "培训干部230万人次" in v
    assert ",培训干部230万人次 " in v  # full-width comma and ideographic space became ASCII
    for i, ch in enumerate(text):  # every view character comes from the original character alone
        assert view(ch) == v[i]


def test_offsets_of_a_match_index_the_original():
    text = "全面推進黨支部「五化」建設"
    m = regex.search("党支部", view(text))
    assert text[m.start():m.end()] == "黨支部"


def test_all_quote_shapes_unify():
    assert view("“两个维护”") == view("「两个维护」") == view('"两个维护"') == view("‘两个维护’")


def test_simplified_text_is_unchanged_apart_from_width_and_quotes():
    text = "组织全省17万名村(社区)两委成员开展培训。"
    assert view(text) == text


def test_script_detection():
    assert detect_script("堅持黨管人才原則,打造近悅遠來的人才高地") == "traditional"
    assert detect_script("坚持党管人才原则,打造近悦远来的人才高地") == "simplified"


def test_full_width_punctuation_in_patterns_stays_literal():
    pattern = view_pattern("村（社区）“两委”")
    assert regex.search(pattern, view("完成村(社区)“两委”换届"))
    assert not regex.search(pattern, view("完成村社区两委换届"))


def test_short_and_long_texts_take_the_same_table():
    """view() uses str.translate below 64 characters and a numpy lookup above: same result."""
    import random

    from engine.normalize import translation_table
    rng = random.Random(5)
    alphabet = "组织部门干部國際組織黨員「」“”ＡＢ１２　\t 兩萬億﹢·\ud800"
    table = translation_table()
    for n in (0, 1, 10, 63, 64, 65, 200, 1000):
        for _ in range(20):
            text = "".join(rng.choice(alphabet) for _ in range(n))
            assert view(text) == text.translate(table)
            assert len(view(text)) == len(text)

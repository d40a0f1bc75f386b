"""Quantities: extraction table, every trap class, the grammar's examples, seeds and the CLI."""
from __future__ import annotations

import csv
import io
import json
import random
from types import SimpleNamespace

import opencc
import pytest
from click.testing import CliRunner

from engine import core
from engine import quantities as Q
from engine import quantity_eval
from engine.cli import main
from engine.match_hyperscan import available as hyperscan_available
from engine.corpus import load_manifest_names
from engine.normalize import view
from engine.rules import load
from engine.segment import split_lines

from conftest import RULES, SEED_FILES, SEEDS

_RULESET = load(RULES)
_GRAMMAR = Q.load(RULES, _RULESET)
_EXTRACTOR = Q.Extractor(_GRAMMAR)
_OUTCOMES = Q.example_outcomes(_GRAMMAR, _EXTRACTOR)
GOLD = SEEDS / "gold" / "seeds.quantities.csv"


def extract(text):
    return Q.extract_text(_EXTRACTOR, text)


def achievements(text):
    return [q for q in extract(text) if q.achievement]


# ------------------------------------------------------------ extraction table ---

@pytest.mark.parametrize("text,span,value,qualifier,unit,kind,rng", [
    ("培训干部230多万人次", "230多万人次", 2_300_000, "more_than", "人次", "count", (2_300_000, 2_400_000)),
    ("整顿软弱涣散基层党组织6147个", "6147个", 6147, "exact", "个", "count", None),
    ("建立非公企业党组织2.2万多个", "2.2万多个", 22_000, "more_than", "个", "count", (22_000, 23_000)),
    ("全省党员总数达406.7万名", "达406.7万名", 4_067_000, "at_least", "名", "count", None),
    ("累计培训党员240余万人", "240余万人", 2_400_000, "more_than", "人", "count", (2_400_000, 2_500_000)),
    ("动员近60万名党员干部", "近60万名", 600_000, "up_to", "名", "count", None),
    ("党员捐款1.68亿元", "1.68亿元", 168_000_000, "exact", "元", "money", None),
    ("发放补贴500万元", "500万元", 5_000_000, "exact", "元", "money", None),
    ("筹集一点六八亿元", "一点六八亿元", 168_000_000, "exact", "元", "money", None),
    ("贡献率提高到60%", "60%", 60, "exact", "%", "percent", None),
    ("占比百分之六十", "百分之六十", 60, "exact", "%", "percent", None),
    ("提高5.2个百分点", "5.2个百分点", 5.2, "exact", "个百分点", "percent", None),
    ("建设1000个以上党群服务中心", "1000个以上", 1000, "at_least", "个", "count", None),
    ("建設1000個以上黨群服務中心", "1000個以上", 1000, "at_least", "个", "count", None),
    ("全省人才总量超过730万", "超过730万", 7_300_000, "more_than", "", "count", None),
    ("乡村人才总量突破200万名", "突破200万名", 2_000_000, "more_than", "名", "count", None),
    ("平均每期超14万人次在线听课", "超14万人次", 140_000, "more_than", "人次", "rate", None),
    ("每万名就业人员中研发人员数达207.1人", "每万名就业人员中研发人员数达207.1人", 207.1, "at_least",
     "人/万名就业人员", "rate", None),
    ("组织两委成员开展三轮集中培训", "三轮", 3, "exact", "轮", "count", None),
    ("动员兩萬餘名黨員", "兩萬餘名", 20_000, "more_than", "名", "count", (20_000, 30_000)),
    ("组建十余个工作组", "十余个", 10, "more_than", "个", "count", (10, 20)),
    ("召开座谈会十二次", "十二次", 12, "exact", "次", "count", None),
    ("培训1,200名干部", "1,200名", 1200, "exact", "名", "count", None),
    ("约3000名志愿者参加", "约3000名", 3000, "about", "名", "count", None),
    ("培训1000人左右", "1000人左右", 1000, "about", "人", "count", None),
    ("组建10万多支突击队", "10万多支", 100_000, "more_than", "支", "count", (100_000, 110_000)),
    ("明确5方面重点任务", "5方面", 5, "exact", "方面", "count", None),
    ("表扬奖励集体5批次", "5批次", 5, "exact", "批次", "count", None),
    ("ＡＢ培训１２００名干部", "１２００名", 1200, "exact", "名", "count", None),   # full-width digits
    ("全省投入3千万元", "3千万元", 30_000_000, "exact", "元", "money", None),    # 3 x 千万, not 3千 x 万
    ("投入1.5千万元", "1.5千万元", 15_000_000, "exact", "元", "money", None),
    ("投入三千万元", "三千万元", 30_000_000, "exact", "元", "money", None),
    ("新增3千余名党员", "3千余名", 3000, "more_than", "名", "count", (3000, 4000)),
])
def test_extraction_table(text, span, value, qualifier, unit, kind, rng):
    found = [q for q in extract(text) if q.text == span]
    assert len(found) == 1, [q.text for q in extract(text)]
    q = found[0]
    assert text[q.start:q.end] == q.text
    assert (q.value, q.qualifier, q.unit, q.kind) == (value, qualifier, unit, kind)
    assert q.range == rng


@pytest.mark.parametrize("text,span,qualifier", [
    ("下达1000个指标", "1000个", "exact"),        # 下达 is a verb, not 达 = reached
    ("签约3个项目", "3个", "exact"),              # 签约, not 约 = about
    ("附近3个村", "3个", "exact"),
    ("赶超30家企业", "30家", "exact"),
    ("吸纳农民就业49.8万人", "49.8万人", "exact"),
    ("累计服务企业7000多家", "7000多家", "more_than"),   # 累计 is cumulative, not a qualifier
    ("共培训7487人", "7487人", "exact"),
    ("涉及1000人以下的单位", "1000人以下", "up_to"),
    ("逾5000名志愿者", "逾5000名", "more_than"),
    ("不足100人", "不足100人", "up_to"),
])
def test_qualifier_words(text, span, qualifier):
    q = next(q for q in extract(text) if q.text == span)
    assert q.qualifier == qualifier


@pytest.mark.parametrize("text,kind", [
    ("平均年龄43.4岁", "age"),
    ("新增35周岁以下大学生", "age"),
    ("近3年全省累计培训", "duration"),     # 近 is a time frame here, not a qualifier
    ("一年来", "duration"),
    ("开通人才服务24小时热线", "duration"),
    ("用3个月时间", "duration"),
])
def test_ages_and_durations_are_kept_apart(text, kind):
    found = extract(text)
    assert [q.kind for q in found] == [kind]
    assert not found[0].achievement
    assert found[0].qualifier in ("exact", "up_to")


# ------------------------------------------------------------ traps ---

@pytest.mark.parametrize("text", [
    # numbered slogans and quoted formulas
    "增强“四个意识”、坚定“四个自信”、做到“两个维护”", "严格落实三会一课制度", "认真落实“1+5”文件",
    "“1 5”体系和“5 N”模式", "出台“20条措施”", "实施“5年5000名”选调计划", "严格遵守中央八项规定",
    "五个方面工作", "七种能力八种本领", "“三高四新”战略", "开通“96567”人才服务热线", "4×4现代化产业体系",
    "315科技创新体系和415X产业集群", "新人才30条", "职称评审绿色通道十条",
    # ordinals and enumerators
    "第5批核心专家", "第十三次党代会", "一是加强理论武装；二是强化组织建设", "第一个方面", "二十届三中全会",
    "第八届人才节", "一大代表",
    # dates and plan names
    "2021-06-18 14:35:46", "6月18日讯", "2020年底", "2025年02月25日 星期二", "“七·一”表彰大会", "十四五时期",
    "2019—2023年规划", "去年4月以来", "二〇二一年",
    # page numbers, phone, registration numbers, URLs, emails
    "浙江日报 要闻 00006版", "(下转第六版)", "阅读量:1.2万", "浏览次数:1234次", "联系电话:17352733309", "0731-82218888", "ICP备:浙B2-20080242",
    "浙公网安备 33010302000628号", "https://hn.rednet.cn/content/2021/06/18/9564930.html", "邮箱610255300@qq.com",
    # words that merely contain a numeral
    "奋战在一线", "一批优秀干部", "进一步加强", "千方百计", "打通最后一公里", "建强干部队伍", "一把手",
    "一名名党员", "一次次考验", "百县争创、千乡晋位、万村过硬", "千名干部交流互派工程", "九层之台", "一呼百应",
    "长三角", "两委换届", "两院院士", "市县两级", "建党100周年", "360度考察", "五级书记抓",
])
def test_traps_give_no_achievement(text):
    assert achievements(text) == []


def test_a_vague_amount_no_reading_gives_is_refused_and_the_document_still_classified(classifier, monkeypatch):
    """八万亿两万多: the numeral reads (八万亿两), its 多 range does not; the numeral is refused, as an
    unreadable value is, compiled or not, and the rest of the document is read (it used to fail
    the whole document with NotANumber)."""
    text = "高达八万亿两万多名干部，培训干部230多万人次"
    for compiled in (True, False):
        with monkeypatch.context() as m:
            if not compiled:
                m.setattr(classifier.extractor, "_readings", None)
                m.setattr(classifier.extractor, "_rule_fields", None)
            result = classifier.classify(text, "doc")
        assert result["status"] == "ok", result.get("error")
        assert [q["text"] for q in result["quantities"]] == ["230多万人次"]


def test_slogan_hit_claims_its_span():
    """A theme-rule hit that holds the whole number claims it; one that reaches into it does not."""
    text = "实施“千名”计划培训5000名干部"
    p = split_lines(text)
    start = text.index("5000名")
    slogan = SimpleNamespace(start=start - 2, end=start + 5, rule=SimpleNamespace(theme="人才高地"))
    volume_cue = SimpleNamespace(start=start - 4, end=start + 2, rule=SimpleNamespace(theme="干部队伍"))
    assert _EXTRACTOR.extract(text, view(text), p, [[slogan]]) == []
    assert [q.text for q in _EXTRACTOR.extract(text, view(text), p, [[volume_cue]])] == ["5000名"]


def test_structure_hits_claim_nothing():
    text = "培训5000名干部"
    hit = SimpleNamespace(start=0, end=len(text), rule=SimpleNamespace(theme=None))
    assert [q.text for q in _EXTRACTOR.extract(text, view(text), split_lines(text), [[hit]])] == ["5000名"]


# ------------------------------------------------------------ subjects and themes ---

@pytest.mark.parametrize("text,number,subject", [
    ("持续整顿软弱涣散基层党组织6147个", "6147个", "持续整顿软弱涣散基层党组织"),
    ("组织全省17万名村(社区)“两委”成员开展三轮集中培训", "17万名", "组织全省村(社区)\"两委\"成员"),
    ("选派24万名干部到村助力攻坚", "24万名", "选派干部"),
    ("2020年底全省党员总数达406.7万名", "达406.7万名", "全省党员总数"),
    ("对568个乡镇、8723个村和842个安置地挂牌督战", "8723个", "村"),
])
def test_subject(text, number, subject):
    q = next(q for q in extract(text) if q.text == number)
    assert q.subject == subject


@pytest.mark.parametrize("text,rule,theme", [
    ("整顿软弱涣散基层党组织6147个", "quantity.weak-organizations", "基层建设"),
    ("新增选两院院士11人", "quantity.academicians", "人才高地"),
    ("省委提拔和进一步使用984人", "quantity.cadre-selection", "干部队伍"),
    ("查处违纪违法案件156件", "quantity.discipline-cases", "作风纪律"),
    ("打造80余个党性教育基地", "quantity.theory-study", "政治建设"),
])
def test_theme_from_quantity_rules(text, rule, theme):
    q = achievements(text)[0]
    assert (q.rule, q.theme) == (rule, theme)


def test_fallback_to_paragraph_theme(classifier):
    text = "坚持以政治建设为统领\n深化理论武装,围绕学习贯彻党的创新理论,指导各地采取多种形式培训干部230多万人次。\n"
    result = classifier.classify(text, "doc")
    q = next(q for q in result["quantities"] if q["text"] == "230多万人次")
    paragraph = next(p for p in result["paragraphs"] if p["index"] == q["paragraph"])
    assert q["rule"] is None
    assert q["theme"] in paragraph["themes"]


def test_quantities_are_modest_evidence():
    paragraphs = split_lines("整顿软弱涣散基层党组织6147个、后进村88个\n")
    found = _EXTRACTOR.extract("整顿软弱涣散基层党组织6147个、后进村88个\n", view("整顿软弱涣散基层党组织6147个、后进村88个\n"),
                               paragraphs)
    extra = Q.evidence(found, paragraphs, _GRAMMAR.evidence_weight)
    assert extra == [{"基层建设": _GRAMMAR.evidence_weight}]   # once per theme and paragraph
    assert _GRAMMAR.evidence_weight < _RULESET.settings.threshold


# ------------------------------------------------------------ grammar as data ---

@pytest.mark.parametrize("outcome", _OUTCOMES, ids=[o.test_id for o in _OUTCOMES])
def test_grammar_example(outcome):
    if outcome.expect == "match":
        assert outcome.found, f"{outcome.entry.id} should recognise {outcome.text!r}"
    else:
        assert not outcome.found, f"{outcome.entry.id} should not recognise {outcome.text!r}: {outcome.found}"


def test_every_quantity_rule_has_examples_both_ways():
    lacking = [r.id for r in _GRAMMAR.rules if not r.entry.match or not r.entry.no_match]
    assert not lacking


def test_grammar_loads_without_diagnostics():
    grammar, diags = Q.collect(RULES, _RULESET)
    assert grammar is not None and diags == []


BROKEN = """\
# yaml-language-server: $schema=../schema/quantities.schema.json
qualifiers:
  - {word: 多, position: inside, qualifier: more_than}
units:
  - {unit: 名, kind: count}
  - {unit: 个, kind: headcount}
traps:
  - id: trap.bad-regex
    kind: date
    pattern: '(\\d+'
    examples: {match: [2020年]}
rules:
  - id: quantity.one
    theme: nowhere
    cues: [党员]
    examples: {match: [党员5名]}
"""


def test_broken_grammar_diagnostics(tmp_path):
    (tmp_path / "quantities.yaml").write_text(BROKEN, encoding="utf-8")
    grammar, diags = Q.collect(tmp_path, _RULESET, shown="quantities.yaml")
    assert grammar is None
    found = {(d.line, d.code, d.path) for d in diags}
    assert (6, "schema-enum", "$.units[1].kind") in found

    (tmp_path / "quantities.yaml").write_text(BROKEN.replace("headcount", "count"), encoding="utf-8")
    grammar, diags = Q.collect(tmp_path, _RULESET, shown="quantities.yaml")
    assert grammar is None
    found = {(d.line, d.col, d.code, d.path) for d in diags}
    assert (10, 5, "bad-regex", "$.traps[0].pattern") in found
    assert (14, 5, "unknown-theme", "$.rules[0].theme") in found
    assert all(d.text().startswith("quantities.yaml:") for d in diags)


def test_failing_example_points_at_its_line(tmp_path):
    text = BROKEN.replace("headcount", "count").replace("'(\\d+'", "'(?<!\\d)\\d{4}年'").replace("nowhere", "grassroots")
    text = text.replace("examples: {match: [党员5名]}", "examples:\n      match: [党员5名]\n      no_match: [发展党员5名]")
    (tmp_path / "quantities.yaml").write_text(text, encoding="utf-8")
    grammar, diags = Q.collect(tmp_path, _RULESET, shown="quantities.yaml")
    assert grammar is not None and diags == []
    failing = Q.example_diagnostics(grammar)
    assert [(d.line, d.code, d.rule, d.path) for d in failing] == [
        (18, "example-no-match", "quantity.one", "$.rules[0].examples.no_match[0]")]


def test_rules_check_includes_the_grammar(tmp_path):
    import shutil
    for name in ("taxonomy.yaml", "quantities.yaml"):
        shutil.copy(RULES / name, tmp_path / name)
    text = (tmp_path / "quantities.yaml").read_text(encoding="utf-8")
    (tmp_path / "quantities.yaml").write_text(text.replace("kind: date\n", "kind: datum\n", 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["rules", "check", "--rules", str(tmp_path)])
    assert result.exit_code == 2
    assert "quantities.yaml:" in result.output and "schema-enum" in result.output


# ------------------------------------------------------------ seeds ---

def test_seed_quantities_against_gold(seed_results):
    """Regression guard for the figures reported: detection F1 >= 0.95, fields >= 97% right."""
    report = quantity_eval.evaluate(list(seed_results.values()), quantity_eval.read_gold(str(GOLD)),
                                    load_manifest_names([str(SEEDS)]))
    assert not report.missing_documents
    assert report.f1 >= 0.95, report.text()
    assert min(report.value_accuracy, report.qualifier_accuracy, report.unit_accuracy) >= 0.97, report.text()


SIMPLIFIED = [p for p in SEED_FILES if "traditional" not in p.name]


def _comparable(result):
    return [{k: v for k, v in q.items() if k != "text"} for q in result["quantities"]]


@pytest.mark.parametrize("path", SIMPLIFIED, ids=[p.stem for p in SIMPLIFIED])
def test_traditional_copy_gives_the_same_quantities(path, classifier, seed_results):
    traditional = opencc.OpenCC("s2t").convert(path.read_text(encoding="utf-8"))
    result = classifier.classify(traditional, path.stem)
    assert _comparable(result) == _comparable(seed_results[path.stem])
    for q in result["quantities"]:
        assert traditional[q["span"][0]:q["span"][1]] == q["text"]


def test_no_quantities_in_boilerplate(seed_results):
    for result in seed_results.values():
        kinds = {p["index"]: p["kind"] for p in result["paragraphs"]}
        assert all(kinds[q["paragraph"]] != "boilerplate" for q in result["quantities"])


# ------------------------------------------------------------ evaluation and CLI ---

def test_evaluation_counts_overlaps_and_neither_rows():
    gold = [
        {"doc": "d", "start": 0, "end": 5, "kind": "count", "value": "5", "qualifier": "exact", "unit": "名"},
        {"doc": "d", "start": 10, "end": 13, "kind": "duration", "value": "3", "qualifier": "exact", "unit": "年"},
        {"doc": "d", "start": 20, "end": 24, "kind": "slogan", "value": "", "qualifier": "exact", "unit": ""},
        {"doc": "d", "start": 30, "end": 34, "kind": "count", "value": "7", "qualifier": "exact", "unit": "個"},
    ]

    def q(a, b, value, unit, kind="count"):
        return {"span": [a, b], "text": "x", "value": value, "qualifier": "exact", "unit": unit, "kind": kind}

    results = [{"document": {"id": "d"}, "status": "ok", "quantities": [
        q(2, 4, 5, "名"), q(10, 12, 3, "年", "count"), q(21, 22, 4, "个"), q(31, 33, 7, "个"), q(40, 41, 1, "个")]}]
    report = quantity_eval.evaluate(results, gold)
    assert (report.tp, report.fp, report.fn) == (2, 2, 0)   # the duration overlap is neither hit nor miss
    assert report.unit_accuracy == 1.0                     # 個 == 个 once normalized


def test_cli_quantities_csv():
    result = CliRunner().invoke(main, ["quantities", str(SEEDS / "hunan-2021-press.txt"), "--rules", str(RULES)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows and set(rows[0]) >= {"document", "theme", "subject", "value", "qualifier", "unit", "text"}
    row = next(r for r in rows if r["text"] == "230多万人次")
    assert (row["value"], row["range_low"], row["range_high"], row["qualifier"]) == ("2300000", "2300000", "2400000", "more_than")
    assert all(r["kind"] in Q.ACHIEVEMENT_KINDS for r in rows)


def test_cli_quantities_jsonl_and_failed_document(tmp_path):
    bad = tmp_path / "missing.txt"   # cannot be read: the document fails, the others still give rows
    result = CliRunner().invoke(main, ["quantities", str(SEEDS / "guizhou-2020-review.txt"), str(bad),
                                       "--format", "jsonl", "--rules", str(RULES)])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines and all(r["document"] == "guizhou-2020-review" for r in lines)


def test_cli_eval_quantities():
    result = CliRunner().invoke(main, ["eval", "--quantities", str(GOLD), str(SEEDS), "--rules", str(RULES),
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["f1"] >= 0.95 and data["documents"] == 5


def test_cli_eval_needs_a_gold_file():
    result = CliRunner().invoke(main, ["eval", str(SEEDS), "--rules", str(RULES)])
    assert result.exit_code == 2


# ------------------------------------------------------------ shortcuts ---

def _all_seed_texts():
    to_trad = opencc.OpenCC("s2t")
    texts = [p.read_text(encoding="utf-8") for p in SEED_FILES]
    return texts + [to_trad.convert(t) for t in texts]


def test_trap_shortcuts_change_no_quantity(classifier):
    """Traps run only in paragraphs with a live numeral and one of their literals (or where
    their Hyperscan prefilter ends a match): the same quantities as running every trap in
    every paragraph."""
    every = Q.Extractor(_GRAMMAR, "portable")           # no Hyperscan prefilter
    every._trap_groups = [None] * len(every.traps)      # no literal test
    original = every.trap_spans
    every.trap_spans = lambda text_view, paragraphs, wanted=None: original(text_view, paragraphs)  # every paragraph
    found = 0
    for text in _all_seed_texts():
        a = classifier.analyse(text)
        fast = classifier.extractor.extract(a.text, a.view, a.paragraphs, a.hits)
        assert fast == every.extract(a.text, a.view, a.paragraphs, a.hits)
        found += len(fast)
    assert found > 200   # the seeds have quantities: the comparison is not vacuous


@pytest.mark.skipif(not hyperscan_available(), reason="hyperscan not installed")
def test_every_shipped_trap_has_a_hyperscan_prefilter():
    fast = Q.Extractor(_GRAMMAR, "hyperscan")
    assert fast.trap_regions.gated == list(range(len(fast.traps)))


def _random_trap_texts(count: int, seed: int = 11):
    """Short multi-line texts over the characters the traps are written in, plus digits,
    letters and unusual spaces: dense near misses for every trap."""
    rng = random.Random(seed)
    alphabet = sorted({ch for t in _GRAMMAR.traps for ch in t.pattern if not ch.isascii()}
                      | set("0123456789012345678 :/-.@+×x*ABcz()\n\t") | set("\u3000\xa0\u2009\x1c\x85\u2028号年"))
    for _ in range(count):
        yield "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 120)))


@pytest.mark.skipif(not hyperscan_available(), reason="hyperscan not installed")
def test_hyperscan_trap_prefilter_changes_no_trap_span():
    """The prefilter only skips paragraphs where a trap cannot match: the same spans as the
    portable search, on the seeds in both scripts and on random near misses."""
    fast, portable = Q.Extractor(_GRAMMAR, "hyperscan"), Q.Extractor(_GRAMMAR, "portable")
    texts = _all_seed_texts() + list(_random_trap_texts(3000))
    found = 0
    for text in texts:
        v, paragraphs = view(text), split_lines(text)
        spans = portable.trap_spans(v, paragraphs)
        assert fast.trap_spans(v, paragraphs) == spans, text
        found += len(spans)
    assert found > 1000   # the traps do match: the comparison is not vacuous


@pytest.mark.skipif(not hyperscan_available(), reason="hyperscan not installed")
def test_hyperscan_regions_leave_ungateable_patterns_ungated():
    from engine.match_hyperscan import HyperscanRegions

    patterns = [r"\d*",              # matches the empty string
                r"(?:年底){e<=1}",    # regex's fuzzy matching: Hyperscan would read it as text
                r"(a)\1", r"^\d+版$", r"(?<![\d.])0\d+", r"\u4e00\d"]
    regions = HyperscanRegions(patterns)
    assert regions.gated == [2, 3, 4, 5]
    text = "aa 12版\n\n 07 一3\nx"
    assert regions.paragraphs(text, split_lines(text)) == [None, None, {0}, {0}, {1}, {1}]
    assert regions.paragraphs(text, split_lines(text), wanted={1}) == [None, None, set(), set(), {1}, {1}]
    # a lone surrogate is no UTF-8: that paragraph is searched by every pattern
    odd = "12版\ud800\nx"
    assert regions.paragraphs(odd, split_lines(odd)) == [None, None, {0}, {0}, {0}, {0}]


def test_a_trap_never_reaches_across_a_line_break():
    text = "培训干部2023\n年底前完成5000人次"
    year = dict((t.entry.id, p) for t, p in _EXTRACTOR.traps)["trap.year"]
    assert year.search(text).group() == "2023\n年底"    # over the whole text it would
    assert _EXTRACTOR.trap_spans(view(text), split_lines(text)) == []
    assert [q.text for q in achievements(text)] == ["5000人次"]


def test_numerals_are_found_once_per_document_as_per_paragraph():
    """One numeral scan over the document gives what a scan of each paragraph gives."""
    for text in _all_seed_texts():
        v, paragraphs = view(text), split_lines(text)
        whole = [m.span() for m in _EXTRACTOR.candidate.finditer(v)]
        per = [m.span() for p in paragraphs for m in _EXTRACTOR.candidate.finditer(v, p.start, p.end)]
        assert whole == per


def _quoted_by_reading(text: str, start: int, end: int, longest: int) -> list[tuple[int, int]]:
    """Quote pairing as a reader does it, one character at a time (what quoted_spans must equal)."""
    out, opened = [], None
    for i in range(start, end):
        ch = text[i]
        if ch in Q._OPEN_QUOTES or (ch in Q._AMBIGUOUS_QUOTES and opened is None):
            opened = i
        elif (ch in Q._CLOSE_QUOTES or ch in Q._AMBIGUOUS_QUOTES) and opened is not None:
            if i - opened - 1 <= longest:
                out.append((opened, i + 1))
            opened = None
    return out


def test_quoted_spans_pair_quotes_as_a_reader_does():
    rng = random.Random(5)
    alphabet = Q._OPEN_QUOTES + Q._CLOSE_QUOTES + Q._AMBIGUOUS_QUOTES + "党建工作\n12"
    longest = _GRAMMAR.quote_max_chars
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) if rng.random() < 0.4 else "字" for _ in range(rng.randrange(0, 40)))
        start = rng.randrange(0, len(text) + 1)
        end = rng.randrange(start, len(text) + 1)
        assert _EXTRACTOR.quoted_spans(text, start, end) == _quoted_by_reading(text, start, end, longest), text


def test_quantity_rule_is_the_first_in_file_order():
    """_rule (cue automaton, rules by unit, literal gates) picks what a plain loop over the rules picks."""
    def plain(subject, clause, unit):
        base_unit = unit.split("/", 1)[0]
        for where in (subject, clause):
            if not where:
                continue
            for rule in _GRAMMAR.rules:
                if rule.units and base_unit not in rule.units:
                    continue
                if any(c in where for c in rule.cues) or any(p.search(where) for p in _EXTRACTOR.rule_patterns[rule.id]):
                    return rule
        return None

    # the compiled choice (engine/_quantities.c), even under TIFA_CORE=python, and the Python reference
    picker = Q.compiled_rules(_EXTRACTOR, core.COMPILED_QUANTITIES) if core.COMPILED_QUANTITIES is not None else None
    rng = random.Random(7)
    words = [c for r in _GRAMMAR.rules for c in r.cues] + ["村", "党村", "文件", "精简", "干部", "培训", "党员", "的"]
    units = ["", "%", "个/万名", *_GRAMMAR.units]
    themed = 0
    for _ in range(3000):
        subject = "".join(rng.choice(words) for _ in range(rng.randrange(0, 4))) or None
        clause = "".join(rng.choice(words) for _ in range(rng.randrange(0, 6)))
        unit = rng.choice(units)
        expected = plain(subject, clause, unit)
        themed += expected is not None
        assert _EXTRACTOR._rule_python(subject, clause, unit) == expected, (subject, clause, unit)
        if picker is not None:
            i = picker.pick(subject, clause, unit)
            assert (None if i is None else _GRAMMAR.rules[i]) == expected, (subject, clause, unit)
    assert themed > 1000


def test_prefilter_reads_a_leading_one_character_lookbehind_as_a_class():
    """Prefilter mode drops lookbehinds; the trap prefilter keeps a leading one-character one as
    the character it looks at, so 2020 no longer flags `(?<![\\d.])0\\d+` (trap.page)."""
    from engine.match_hyperscan import _prefilter_expression

    assert _prefilter_expression(r"(?<![\d.])0\d+版?|[\d十]+版(?=\s|$)") == r"(?:^|[^\d.])0\d+版?|[\d十]+版(?=\s|)".encode()
    assert _prefilter_expression(r"(?<!\d)1[3-9]\d{9}(?!\d)") == r"(?:^|[^\d])1[3-9]\d{9}(?!\d)".encode()
    assert _prefilter_expression("(?<!党)村$") == "(?:^|[^党])村".encode()
    for kept in [r"(?<![^a])x", "(?<!.)y", r"(?<!\b)z", r"a(?<!\d)b", r"(?<!ab)c", r"(?:(?<!\d)5)", "(?i)(?<!a)b"]:
        assert _prefilter_expression(kept) == kept.encode()


@pytest.mark.skipif(not hyperscan_available(), reason="hyperscan is not installed")
def test_lookbehind_prefilter_still_flags_every_paragraph_a_trap_matches():
    from engine.match_hyperscan import HyperscanRegions

    patterns = [r"(?<![\d.])0\d+版?", r"(?<!\d)\d{1,2}日"]
    text = "2020年\n05版\n2020年3日\n第2020版\n12日"
    regions = HyperscanRegions(patterns)
    assert regions.paragraphs(text, split_lines(text)) == [{1}, {2, 4}]


@pytest.mark.skipif(not hyperscan_available(), reason="hyperscan is not installed")
def test_joined_paragraphs_flag_every_paragraph_a_prefilter_matches_on_its_own():
    """HyperscanRegions scans the paragraphs joined by line breaks: each paragraph where a
    pattern's prefilter matches when the paragraph is scanned alone is flagged (the joined scan
    may flag more, never less). Checked against scans of each paragraph alone, for the shipped
    traps on the seeds and random near misses, and for lookbehinds on spaces and line starts."""
    from engine.match_hyperscan import HyperscanRegions

    def alone(regions, text, paragraphs):
        out = [set() if i in regions.gated else None for i in range(regions.count)]
        for k, p in enumerate(paragraphs):
            def on_match(pattern, _s, _e, _f, _c):
                out[pattern].add(k)
            regions.db.scan(text[p.start:p.end].encode("utf-8"), match_event_handler=on_match, scratch=regions.scratch)
        return out

    shipped = Q.Extractor(_GRAMMAR, "hyperscan").trap_regions
    spaced = HyperscanRegions([r"(?<!\s)\d+号", r"(?<![\d.])0\d+", r"\d+(?:/\d+){2,}", r"(?<!\S)[一二三]是"])
    flagged = 0
    for regions in (shipped, spaced):
        for text in _all_seed_texts() + list(_random_trap_texts(1500, seed=23)) + ["12号\n 3号\n0/1/2\n一是\n x一是"]:
            v, paragraphs = view(text), split_lines(text)
            expected = alone(regions, v, paragraphs)
            for own, joined in zip(expected, regions.paragraphs(v, paragraphs)):
                assert (own is None and joined is None) or own <= joined, text
                flagged += len(own or ())
    assert flagged > 1000

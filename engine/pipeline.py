"""pipeline: one document in, one result (the output contract) out.

Runs the stages in order: read -> normalize -> segment -> match -> classify, and assembles
the result object described by ``schema/result.schema.json``. :class:`Classifier` is
picklable and its :meth:`Classifier.classify` is pure (text and id in, dict out), so the same
object serves the CLI, worker processes and distributed runners. A failing document gives a
result with ``status: error``; it never raises.
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field

import orjson

from . import classify as classify_stage
from . import quantities as quantity_stage
from . import segment
from .core import NATIVE
from .match import Matcher, by_paragraph, filter_hits, role_hits
from .normalize import detect_script, view
from .read import ReadError, read_bytes
from .render import RawJSON
from .rules import RuleSet

SCHEMA_VERSION = "1"


_NO_ROLES: frozenset[str] = frozenset()


@functools.lru_cache(maxsize=4096)
def _scores_shown(scores: tuple) -> dict:
    """A paragraph's ``scores`` as the result shows them: by theme name, rounded to 3 places.
    Scores are sums of a few rule weights (always floats, see classify.own_scores), so a
    document's paragraphs repeat a few combinations: each is sorted and rounded once (a
    megabyte has thousands of paragraphs with scores, and round(x, 3) costs ~0.5 µs)."""
    return {t: round(s, 3) for t, s in sorted(scores)}


@dataclass(frozen=True)
class Analysis:
    """Everything the stages computed for one document (used by `explain`, `stats`, `diff`)."""
    text: str
    view: str
    paragraphs: list
    hits: list          # list[list[Hit]] per paragraph (or _hitcore.KeptHits: the same lists, made when read)
    misses: list        # list[list[Miss]] per paragraph
    labelled: list      # list[Labelled]
    warnings: list
    quantities: list = field(default_factory=list)   # list[quantities.Quantity]


class Classifier:
    def __init__(self, ruleset: RuleSet, grammar=None):
        self.ruleset = ruleset
        self.matcher = Matcher(ruleset)
        # quantities.yaml of the same rules directory (an empty grammar when it has none);
        # engine/cache.py passes the grammar it kept beside the rule set
        self.grammar = grammar if grammar is not None else quantity_stage.load(ruleset.directory, ruleset)
        self.extractor = quantity_stage.Extractor(self.grammar)
        # rule id -> the fixed part of its evidence objects (evidence_python; the rule table holds them too)
        self._hit_fields = {rule.id: evidence_fields(rule) for rule in self.matcher.rules}
        self._rule_table = rule_table(NATIVE, self.matcher.rules, ruleset.theme_names) if NATIVE is not None else None

    def __reduce__(self):
        return (Classifier, (self.ruleset, self.grammar))

    # -- stages ---------------------------------------------------------------
    def analyse(self, text: str) -> Analysis:
        settings = self.ruleset.settings
        text_view = view(text)
        lines = segment.split_lines(text)
        raw, warnings = self.matcher.find(text_view, packed=True)   # packed: no object per raw hit
        groups = by_paragraph(raw, lines)
        # most paragraphs hold no structure-rule hit: no call for them
        roles = [self._roles(text_view, p, g) if g else _NO_ROLES
                 for p, g in zip(lines, role_hits(groups, self.matcher.filter_codes))]
        paragraphs = segment.assign_kinds(lines, text_view, roles,
                                          settings.heading_min_chars, settings.heading_max_chars)
        # packed: the kept hits stay (start, end, rule) triples in C for the stages below
        hits, misses = filter_hits(self.matcher, text_view, paragraphs, groups, packed=True)
        # Theme hits (slogans like 四个意识) claim their spans before quantities are read;
        # quantity rules add modest evidence to their paragraph before labels are decided.
        found = self.extractor.extract(text, text_view, paragraphs, hits, self._rule_table)
        extra = quantity_stage.evidence(found, paragraphs, self.grammar.evidence_weight)
        labelled = classify_stage.label(paragraphs, hits, self.ruleset, extra, self._rule_table)
        found = quantity_stage.with_fallback(found, labelled)
        return Analysis(text, text_view, paragraphs, hits, misses, labelled, warnings, found)

    def _roles(self, text_view: str, paragraph, role_hits) -> set[str]:
        """The roles (boilerplate, closing) that a paragraph's structure-rule hits give it."""
        roles = set()
        for start, end, index in role_hits:
            if not self.matcher.excluded_by(index, text_view, start, end, paragraph):
                roles.add(self.matcher.rules[index].role)
        return roles

    # -- results --------------------------------------------------------------
    def classify(self, text: str, doc_id: str, *, path: str | None = None, encoding: str = "utf-8",
                 sha256: str | None = None, as_json_line: bool = False) -> dict:
        """The result object for one decoded document.

        ``as_json_line``: for a result that only becomes a JSON line
        (:func:`engine.render.to_jsonl_line`, the same line either way), ``paragraphs`` is a
        :class:`engine.render.RawJSON` written by the compiled core straight from the labels
        and hits (else each paragraph's ``hits`` is, where the core cannot write the whole
        list): thousands of paragraph objects and tens of thousands of evidence objects per
        megabyte are neither built nor serialized one by one. Without the compiled core it has
        no effect.
        """
        try:
            analysis = self.analyse(text)
        except Exception as exc:  # one bad document never stops a batch
            return self.error_result(doc_id, path, type(exc).__name__, str(exc), sha256=sha256)
        result = {
            "schema_version": SCHEMA_VERSION,
            "document": self._document(doc_id, path, text, encoding, sha256),
            "ruleset": {"version": self.ruleset.version, "rules": len(self.ruleset.rules)},
            "themes": classify_stage.document_themes(analysis.labelled, self.ruleset),
            "paragraphs": self._paragraphs(analysis, as_json_line),
            "quantities": [q.as_dict() for q in analysis.quantities],
            "status": "ok",
        }
        if analysis.warnings:
            result["warnings"] = analysis.warnings
        return result

    def classify_bytes(self, data: bytes, doc_id: str, path: str | None = None, as_json_line: bool = False) -> dict:
        sha = hashlib.sha256(data).hexdigest()
        try:
            decoded = read_bytes(data)
        except ReadError as exc:
            return self.error_result(doc_id, path, "ReadError", str(exc), sha256=sha)
        return self.classify(decoded.text, doc_id, path=path, encoding=decoded.encoding, sha256=sha,
                             as_json_line=as_json_line)

    def error_result(self, doc_id: str, path: str | None, kind: str, message: str, sha256: str | None = None) -> dict:
        document = {"id": doc_id, "path": path}
        if sha256:
            document["sha256"] = sha256
        return {
            "schema_version": SCHEMA_VERSION,
            "document": document,
            "ruleset": {"version": self.ruleset.version, "rules": len(self.ruleset.rules)},
            "status": "error",
            "error": {"type": kind, "message": message},
        }

    def _document(self, doc_id, path, text, encoding, sha256) -> dict:
        return {
            "id": doc_id,
            "path": path,
            "sha256": sha256 or hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
            "encoding": encoding,
            "script": detect_script(text),
            "chars": len(text),
        }

    def _paragraphs(self, analysis: Analysis, as_json: bool = False) -> list[dict] | RawJSON:
        """The result objects of the paragraphs (``as_json``: see :meth:`classify`)."""
        if as_json and self._rule_table is not None:
            written = self._rule_table.paragraphs_json(analysis.labelled, analysis.hits, analysis.text)
            if written is not None:   # None: a value orjson writes otherwise (a lone surrogate, say)
                return RawJSON(written)
        return [self._paragraph(analysis, i, as_json) for i in range(len(analysis.paragraphs))]

    def _paragraph(self, analysis: Analysis, i: int, as_json: bool = False) -> dict:
        """The result object of paragraph ``i``."""
        item = analysis.labelled[i]
        p = item.paragraph
        hits = analysis.hits[i]
        evidence = None if hits else []
        if hits and as_json and self._rule_table is not None:
            written = self._rule_table.evidence_json(hits, analysis.text)
            if written is not None:   # None: a lone surrogate (only json.dumps writes it) or a weight orjson cannot write
                evidence = RawJSON(written)
        if evidence is None:
            evidence = self._rule_table.evidence(hits, analysis.text) if self._rule_table is not None \
                else evidence_python(hits, analysis.text, self._hit_fields)
        out = {
            "index": p.index,
            "span": [p.start, p.end],
            "kind": p.kind,
            "section": p.section,
            "themes": list(item.themes),
            "hits": evidence,
        }
        if item.scores:
            out["scores"] = dict(_scores_shown(tuple(item.scores.items())))   # a copy: results are the caller's
        if item.inherited:
            out["inherited"] = list(item.inherited)
        if item.summary:
            out["summary"] = True
        return out


def evidence_fields(rule) -> tuple:
    """The fixed part of a rule's evidence objects: id, "theme" or "role" and its value, weight."""
    if rule.theme:
        return rule.id, "theme", rule.theme, rule.weight
    return rule.id, "role", rule.role, rule.weight


def rule_table(hitcore, rules, theme_names):
    """``hitcore.RuleTable`` of ``rules`` (found by address): the first rule of each id, the
    theme index and weight of each, its evidence fields, and its evidence object as JSON text before the span and
    after the text, written by orjson as the whole object would be: '{"rule":..,"theme":..,"span":['
    and ',"weight":..}' (None where orjson cannot write the weight: those take the object path)."""
    first = {}
    groups = tuple(first.setdefault(rule.id, i) for i, rule in enumerate(rules))
    theme_names = tuple(dict.fromkeys([*theme_names, *(rule.theme for rule in rules if rule.theme is not None)]))
    themes = {name: i for i, name in enumerate(theme_names)}
    fields = tuple(evidence_fields(rule) for rule in rules)
    heads, tails = [], []
    for rule, (_id, key, value, _weight) in zip(rules, fields):
        try:
            heads.append(orjson.dumps({"rule": rule.id, key: value})[:-1] + b',"span":[')
            tails.append(b',"weight":' + orjson.dumps(rule.weight) + b"}")
        except orjson.JSONEncodeError:
            heads.append(None)
            tails.append(None)
    return hitcore.RuleTable(tuple(rules), groups, tuple(themes.get(rule.theme, -1) for rule in rules),
                            tuple(float(rule.weight) for rule in rules), theme_names, fields, tuple(heads), tuple(tails))


def evidence_python(hits: list, text: str, fields: dict) -> list[dict]:
    """One evidence object per hit (the reference of ``RuleTable.evidence``). ``fields``: rule
    id -> (id, "theme" or "role", its value, weight)."""
    # one dict display per hit (hits come by the ten thousand: ~30% faster than copying a
    # prepared head and assigning the rest)
    evidence = []
    append = evidence.append
    for start, end, rule, _p in hits:
        rule_id, key, value, weight = fields[rule.id]
        append({"rule": rule_id, key: value, "span": [start, end], "text": text[start:end], "weight": weight})
    return evidence

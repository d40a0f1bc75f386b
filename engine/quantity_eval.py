"""quantity_eval: result objects + a gold quantities CSV -> detection P/R/F1 and field accuracy.

Input: result objects (with their ``quantities``) and gold rows in the format of
``seeds/gold/seeds.quantities.csv`` (columns ``doc, start, end, span, kind, value, qualifier,
unit, ...``; ``doc`` is the 3-digit prefix of the document's original file name, mapped to a
result through ``manifest.yaml``; offsets index the original text).
Output: :class:`QuantityReport`.

Invariants: gold kinds count/money/percent/rate are targets; slogan/date/ordinal/phone/other
are traps; age/duration are neither. Only predicted achievements (kinds count, money,
percent, rate) are scored. A prediction matches a target when their spans overlap (one to
one, in text order); a prediction that overlaps no target is a false positive unless it
overlaps only a neither-row. On matched pairs, value (to 1e-9 relative), qualifier and unit
(compared on the normalized view, so 個 == 个) are checked. Gold documents absent from the
results are listed and not scored.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field

from .evaluate import PrecisionRecall
from .normalize import view

TARGET_KINDS = ("count", "money", "percent", "rate")
TRAP_KINDS = ("slogan", "date", "ordinal", "phone", "other")
NEITHER_KINDS = ("age", "duration")
PREDICTED_KINDS = TARGET_KINDS


@dataclass(frozen=True)
class QuantityReport(PrecisionRecall):
    tp: int
    fp: int
    fn: int
    value_ok: int
    qualifier_ok: int
    unit_ok: int
    documents: int
    missing_documents: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)   # misses, false alarms and wrong fields

    def _share(self, n: int) -> float:
        return n / self.tp if self.tp else 0.0

    @property
    def value_accuracy(self) -> float:
        return self._share(self.value_ok)

    @property
    def qualifier_accuracy(self) -> float:
        return self._share(self.qualifier_ok)

    @property
    def unit_accuracy(self) -> float:
        return self._share(self.unit_ok)

    @property
    def all_fields_accuracy(self) -> float:
        wrong = {(e["doc"], e["gold_span"][0]) for e in self.errors if e["error"] == "field"}
        return self._share(self.tp - len(wrong))

    def as_dict(self) -> dict:
        return {
            "documents": self.documents, "tp": self.tp, "fp": self.fp, "fn": self.fn,
            "precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
            "value_accuracy": round(self.value_accuracy, 4), "qualifier_accuracy": round(self.qualifier_accuracy, 4),
            "unit_accuracy": round(self.unit_accuracy, 4), "all_fields_accuracy": round(self.all_fields_accuracy, 4),
            "missing_documents": self.missing_documents, "errors": self.errors,
        }

    def text(self) -> str:
        rows = [
            f"quantities: {self.documents} documents, {self.tp + self.fn} gold targets, {self.tp + self.fp} predicted",
            f"detection  P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}  (tp {self.tp}, fp {self.fp}, fn {self.fn})",
            f"on matched targets: value {self.value_accuracy:.3f}  qualifier {self.qualifier_accuracy:.3f}  "
            f"unit {self.unit_accuracy:.3f}  all three {self.all_fields_accuracy:.3f}",
        ]
        if self.missing_documents:
            rows.append("gold documents not among the inputs: " + ", ".join(self.missing_documents))
        return "\n".join(rows) + "\n"


def read_gold(path: str) -> list[dict]:
    """Rows of a gold quantities CSV; raises ValueError when a needed column is missing."""
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        need = {"doc", "start", "end", "kind", "value", "qualifier", "unit"}
        missing = need - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        rows = []
        for number, row in enumerate(reader, 2):
            try:
                row["start"], row["end"] = int(row["start"]), int(row["end"])
            except ValueError:
                raise ValueError(f"{path}:{number}: start/end must be integers") from None
            rows.append(row)
    return rows


def _doc_key(gold_doc: str, results: dict[str, dict], aliases: dict[str, str]) -> str | None:
    """Result id for a gold doc code: manifest original name (or its NNN_ prefix), id, or stem."""
    for original, doc_id in aliases.items():
        if doc_id in results and (original == gold_doc or original.split("_", 1)[0] == gold_doc
                                  or original.rsplit(".", 1)[0] == gold_doc):
            return doc_id
    for candidate in (gold_doc, gold_doc.rsplit(".", 1)[0]):
        if candidate in results:
            return candidate
    return None


def _same_value(gold: str, predicted) -> bool:
    try:
        g = float(gold)
    except ValueError:
        return False
    return abs(g - float(predicted)) <= 1e-9 * max(1.0, abs(g))


def _overlap(a0, a1, b0, b1) -> bool:
    return a0 < b1 and b0 < a1


def evaluate(results: list[dict], gold: list[dict], aliases: dict[str, str] | None = None) -> QuantityReport:
    aliases = aliases or {}
    by_id = {r["document"]["id"]: r for r in results}
    per_doc: dict[str, list[dict]] = {}
    missing = set()
    for row in gold:
        key = _doc_key(row["doc"], by_id, aliases)
        if key is None:
            missing.add(row["doc"])
            continue
        per_doc.setdefault(key, []).append(row)
    tp = fp = fn = value_ok = qualifier_ok = unit_ok = 0
    errors = []
    for doc, rows in sorted(per_doc.items()):
        preds = sorted((q for q in by_id[doc].get("quantities") or [] if q["kind"] in PREDICTED_KINDS),
                       key=lambda q: tuple(q["span"]))
        targets = sorted((r for r in rows if r["kind"] in TARGET_KINDS), key=lambda r: (r["start"], r["end"]))
        neither = [r for r in rows if r["kind"] in NEITHER_KINDS]
        used: set[int] = set()
        for t in targets:
            match = next((i for i, q in enumerate(preds) if i not in used
                          and _overlap(q["span"][0], q["span"][1], t["start"], t["end"])), None)
            if match is None:
                fn += 1
                errors.append({"doc": doc, "error": "missed", "gold_span": [t["start"], t["end"]], "gold": t.get("span", ""),
                               "kind": t["kind"]})
                continue
            used.add(match)
            q = preds[match]
            tp += 1
            checks = {
                "value": _same_value(t["value"], q["value"]),
                "qualifier": t["qualifier"] == q["qualifier"],
                "unit": view(t["unit"]) == view(q["unit"]),
            }
            value_ok += checks["value"]
            qualifier_ok += checks["qualifier"]
            unit_ok += checks["unit"]
            if not all(checks.values()):
                errors.append({"doc": doc, "error": "field", "gold_span": [t["start"], t["end"]], "gold": t.get("span", ""),
                               "predicted": q["text"], "wrong": [k for k, ok in checks.items() if not ok],
                               "expected": {"value": t["value"], "qualifier": t["qualifier"], "unit": t["unit"]},
                               "got": {"value": q["value"], "qualifier": q["qualifier"], "unit": q["unit"]}})
        for i, q in enumerate(preds):
            if i in used:
                continue
            if any(_overlap(q["span"][0], q["span"][1], r["start"], r["end"]) for r in neither) and not any(
                    _overlap(q["span"][0], q["span"][1], r["start"], r["end"]) for r in rows if r["kind"] in TRAP_KINDS):
                continue
            fp += 1
            trap = next((r["kind"] for r in rows if _overlap(q["span"][0], q["span"][1], r["start"], r["end"])), None)
            errors.append({"doc": doc, "error": "false_alarm", "span": q["span"], "predicted": q["text"],
                           "gold_kind": trap})
    return QuantityReport(tp, fp, fn, value_ok, qualifier_ok, unit_ok, len(per_doc), sorted(missing), errors)

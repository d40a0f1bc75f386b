"""evaluate: results + gold paragraph labels -> per-theme precision, recall, F1, macro-F1.

Input: result objects and gold rows in the format of ``seeds/gold/seeds.themes.jsonl``
(``{"doc", "line", "themes"}``; ``line`` counts all lines, as paragraph ``index`` does).
Output: :class:`ThemeScores`. Invariants: only gold paragraphs are scored; a gold paragraph
the engine did not produce counts as predicted with no theme; themes are the taxonomy's.
"""
from __future__ import annotations

import json
from dataclasses import dataclass


class PrecisionRecall:
    """Precision, recall and F1 of anything with ``tp``, ``fp`` and ``fn`` counts."""
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class ThemeScore(PrecisionRecall):
    theme: str
    tp: int
    fp: int
    fn: int


@dataclass(frozen=True)
class Report:
    themes: list[ThemeScore]
    paragraphs: int
    missing_documents: list[str]
    errors: list[dict]     # per paragraph: doc, line, gold, predicted (only where they differ)

    @property
    def macro_f1(self) -> float:
        return sum(t.f1 for t in self.themes) / len(self.themes) if self.themes else 0.0

    def as_dict(self) -> dict:
        return {
            "paragraphs": self.paragraphs,
            "macro_f1": round(self.macro_f1, 4),
            "themes": [{"theme": t.theme, "tp": t.tp, "fp": t.fp, "fn": t.fn, "precision": round(t.precision, 4),
                        "recall": round(t.recall, 4), "f1": round(t.f1, 4)} for t in self.themes],
            "missing_documents": self.missing_documents,
            "errors": self.errors,
        }

    def text(self) -> str:
        rows = [f"{'theme':<8} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}"]
        for t in self.themes:
            rows.append(f"{t.theme:<8} {t.precision:6.3f} {t.recall:6.3f} {t.f1:6.3f} {t.tp:4d} {t.fp:4d} {t.fn:4d}")
        rows.append(f"macro-F1 {self.macro_f1:.3f} over {self.paragraphs} gold paragraphs")
        if self.missing_documents:
            rows.append("gold documents not among the inputs: " + ", ".join(self.missing_documents))
        return "\n".join(rows) + "\n"


def read_gold(path: str) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{number}: not a JSON line ({exc.msg})") from None
    return rows


def evaluate(results: list[dict], gold: list[dict], theme_names: tuple[str, ...],
             aliases: dict[str, str] | None = None) -> Report:
    """Score `results` against `gold`; `aliases` maps gold doc names to result document ids."""
    aliases = aliases or {}
    predicted: dict[str, dict[int, set[str]]] = {}
    for r in results:
        paragraphs = r.get("paragraphs") or []
        predicted[r["document"]["id"]] = {p["index"]: set(p["themes"]) for p in paragraphs}

    def doc_key(name: str) -> str | None:
        for candidate in (aliases.get(name), name, name.rsplit(".", 1)[0]):
            if candidate in predicted:
                return candidate
        return None

    counts = {t: [0, 0, 0] for t in theme_names}
    missing, errors = set(), []
    for row in gold:
        key = doc_key(row["doc"])
        if key is None:
            missing.add(row["doc"])
            continue
        pred = predicted[key].get(row["line"], set())
        truth = set(row["themes"])
        for t in theme_names:
            if t in pred and t in truth:
                counts[t][0] += 1
            elif t in pred:
                counts[t][1] += 1
            elif t in truth:
                counts[t][2] += 1
        if pred != truth:
            errors.append({"doc": key, "line": row["line"], "gold": sorted(truth), "predicted": sorted(pred)})
    scored = sum(1 for row in gold if doc_key(row["doc"]) is not None)
    return Report([ThemeScore(t, *counts[t]) for t in theme_names], scored, sorted(missing), errors)

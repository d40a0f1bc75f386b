"""quantity_table: result objects -> the analysts' table of achievements (csv | jsonl | md).

Input: result objects of the output contract. Output: text, one row per achievement (kinds
count, money, percent, rate; ages and durations are statistics, not achievements) with the
columns of :data:`FIELDS`. Invariants: rows in document order, then text order; UTF-8 with
Chinese as is; failed documents give no rows (the CLI reports them); values print without
a trailing ``.0`` or an exponent, so a spreadsheet reads them as numbers.
"""
from __future__ import annotations

import json

from .quantities import ACHIEVEMENT_KINDS, value_text
from .render import csv_rows

FIELDS = ["document", "paragraph", "theme", "subject", "value", "range_low", "range_high", "qualifier", "unit",
          "kind", "text", "rule"]


def rows(result: dict) -> list[dict]:
    """The achievement rows of one result."""
    if result.get("status") != "ok":
        return []
    out = []
    for q in result.get("quantities") or []:
        if q["kind"] not in ACHIEVEMENT_KINDS:
            continue
        rng = q.get("range") or [None, None]
        out.append({
            "document": result["document"]["id"], "paragraph": q["paragraph"], "theme": q.get("theme"),
            "subject": q.get("subject"), "value": q["value"],
            "range_low": rng[0], "range_high": rng[1], "qualifier": q["qualifier"], "unit": q["unit"],
            "kind": q["kind"], "text": q["text"], "rule": q.get("rule"),
        })
    return out


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value_text(value)
    return str(value)


def csv_header() -> str:
    return csv_rows([FIELDS])


def to_csv(result: dict) -> str:
    return csv_rows([_cell(row[f]) for f in FIELDS] for row in rows(result))


def to_jsonl(result: dict) -> str:
    return "".join(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n" for row in rows(result))


MD_HEADER = ("| document | line | theme | subject | value | range | qualifier | unit | text |\n"
             "|---|---:|---|---|---:|---|---|---|---|\n")


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(result: dict) -> str:
    out = []
    for row in rows(result):
        rng = f"[{_cell(row['range_low'])}, {_cell(row['range_high'])})" if row["range_low"] is not None else ""
        out.append(f"| {row['document']} | {row['paragraph']} | {row['theme'] or '—'} | {_md(row['subject'] or '')} | "
                   f"{_cell(row['value'])} | {rng} | {row['qualifier']} | {row['unit']} | {_md(row['text'])} |\n")
    return "".join(out)

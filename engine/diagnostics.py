"""Diagnostics: one value per problem found in rule files, rendered as text or JSON.

A diagnostic names the file, the 1-based line and column, the JSON path inside the file
(``$.rules[3].pattern``), a stable code, a message a domain expert understands and a hint
saying what to do. Every checker returns a list of them, so all problems surface in one run.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

LEVELS = ("error", "warning", "info")


@dataclass(frozen=True)
class Diagnostic:
    file: str
    line: int
    col: int
    code: str
    message: str
    path: str = "$"
    hint: str = ""
    level: str = "error"
    rule: str | None = None

    def text(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}"
        rule = f" ({self.rule})" if self.rule else ""
        out = f"{where}: [{self.level}] {self.code}: {self.message}{rule} ({self.path})"
        if self.hint:
            out += f"\n    hint: {self.hint}"
        return out

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def sort_key(self):
        return (self.file, self.line, self.col, self.code, self.message)


def json_path(parts) -> str:
    """JSON path text for a sequence of keys and indexes: ('rules', 3, 'pattern') -> $.rules[3].pattern."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


class RuleError(Exception):
    """Raised when a rule set cannot be used; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(diagnostics, key=lambda d: d.sort_key)
        errors = [d for d in self.diagnostics if d.level == "error"]
        super().__init__(f"{len(errors)} error(s) in the rule files")

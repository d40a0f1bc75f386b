"""check: a rule set -> diagnostics about how its rules behave (examples first).

Input: a loaded :class:`RuleSet`. Output: :class:`Diagnostic` values. Each example of each
rule is run exactly as the engine would see it, as one paragraph (a heading for rules
scoped to headings): a `match` example must produce a hit, a `no_match` example must not.
Examples marked `todo` are reported as info and never fail. `tifa rules check` and the test
suite call the same :func:`example_outcomes`, so experts never need pytest.
"""
from __future__ import annotations

from dataclasses import dataclass

from .diagnostics import Diagnostic
from .match import Matcher
from .normalize import view
from .rules import RuleSet, locate
from .segment import Paragraph


@dataclass(frozen=True)
class Outcome:
    rule_index: int
    expect: str          # "match" | "no_match"
    n: int               # position among the rule's examples of that kind
    text: str
    todo: str | None
    matched: tuple[str, ...]   # texts of surviving hits

    @property
    def ok(self) -> bool:
        return bool(self.matched) == (self.expect == "match")

    def test_id(self, ruleset: RuleSet) -> str:
        return f"{ruleset.rules[self.rule_index].id}:{self.expect}:{self.n}"


def rule_hits_in(matcher: Matcher, rule_index: int, text: str) -> list[str]:
    """Texts of the hits one rule makes in a one-paragraph text (after `unless`)."""
    text_view = view(text)
    paragraph = Paragraph(0, 0, len(text))
    out = []
    for h in matcher.find_rule(rule_index, text_view):
        if not matcher.excluded_by(rule_index, text_view, h.start, h.end, paragraph):
            out.append(text[h.start:h.end])
    return out


def example_outcomes(ruleset: RuleSet, matcher: Matcher | None = None) -> list[Outcome]:
    matcher = matcher or Matcher(ruleset)
    out = []
    for i, rule in enumerate(ruleset.rules):
        for expect, examples in (("match", rule.match_examples), ("no_match", rule.no_match_examples)):
            for n, ex in enumerate(examples):
                out.append(Outcome(i, expect, n, ex.text, ex.todo, tuple(rule_hits_in(matcher, i, ex.text))))
    return out


def example_diagnostics(ruleset: RuleSet, matcher: Matcher | None = None) -> list[Diagnostic]:
    diags = []
    for o in example_outcomes(ruleset, matcher):
        rule = ruleset.rules[o.rule_index]
        line, col, path = locate(rule, ruleset.positions, "examples", o.expect, o.n)
        if o.todo:
            if o.ok:
                diags.append(Diagnostic(rule.file, line, col, "todo-passes",
                                        f"example marked todo now behaves as expected: {o.text!r}",
                                        path, "remove the `todo` note so it guards the rule", "info", rule.id))
            else:
                diags.append(Diagnostic(rule.file, line, col, "todo", f"known miss: {o.todo}", path, "", "info", rule.id))
            continue
        if o.ok:
            continue
        if o.expect == "match":
            message = f"example should match but the rule finds nothing in {o.text!r}"
            hint = "widen the phrases/pattern, check `unless`, or mark the example {text: ..., todo: why}"
        else:
            message = f"example should not match but the rule finds {', '.join(map(repr, o.matched))} in {o.text!r}"
            hint = "narrow the pattern or add an `unless` exclusion"
        diags.append(Diagnostic(rule.file, line, col, f"example-{o.expect.replace('_', '-')}", message, path, hint,
                                "error", rule.id))
    return diags

"""rules: YAML rule files -> a validated :class:`RuleSet`.

Input: a rules directory (``taxonomy.yaml``, one file per theme, ``boilerplate.yaml``;
``quantities.yaml`` is loaded by :mod:`engine.quantities`). Output: frozen :class:`RuleSet`.
Invariants: YAML is parsed safely and every value keeps its line and column; every file is
validated against its JSON Schema, then cross-file semantic checks run (themes exist, ids
unique, regexes compile, lifecycle fields agree). All problems are collected and raised
together as one :class:`RuleError`; nothing half-loaded is ever returned.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import regex
import yaml

from .diagnostics import Diagnostic, RuleError, json_path
from .normalize import view
from .patterns import compile_pattern

TAXONOMY_FILE = "taxonomy.yaml"
QUANTITY_FILE = "quantities.yaml"


# ---------------------------------------------------------------- locations ---

@dataclass(frozen=True)
class Located:
    """A parsed YAML document plus the (line, col) of every JSON path in it (1-based)."""
    data: object
    positions: dict

    def where(self, parts) -> tuple[int, int]:
        parts = tuple(parts)
        while parts not in self.positions and parts:
            parts = parts[:-1]
        return self.positions.get(parts, (1, 1))


def _construct(node, path, positions, problems):
    positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in out:
                problems.append((path + (key,), (key_node.start_mark.line + 1, key_node.start_mark.column + 1),
                                 f"key `{key}` appears twice in the same mapping"))
            out[key] = _construct(value_node, path + (key,), positions, problems)
            positions[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, path + (i,), positions, problems) for i, item in enumerate(node.value)]
    return _SCALARS.construct_object(node)


# Scalars (strings, numbers, booleans) are built by PyYAML's safe constructor; mappings and
# sequences are rebuilt by _construct so that every value keeps its position.
_SCALARS = yaml.constructor.SafeConstructor()


def load_yaml(path: Path, shown: str) -> tuple[Located | None, list[Diagnostic]]:
    """Parse one YAML file, keeping positions; syntax errors become diagnostics."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Diagnostic(shown, 1, 1, "read-error", f"cannot read the file: {exc}",
                                 hint="save rule files as UTF-8 text")]
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"YAML syntax error: {exc.problem or exc}"
        if exc.context and exc.context_mark and exc.context_mark.line + 1 != line:
            message += f" ({exc.context} opened at line {exc.context_mark.line + 1})"
        return None, [Diagnostic(shown, line, col, "yaml-syntax", message,
                                 hint="check indentation, brackets and quoting; quote patterns with '...'")]
    if node is None:
        return Located({}, {(): (1, 1)}), []
    positions: dict = {}
    problems: list = []
    data = _construct(node, (), positions, problems)
    diags = [Diagnostic(shown, line, col, "duplicate-key", msg, json_path(p),
                        hint="remove one of the two; the later one would silently win")
             for p, (line, col), msg in problems]
    return Located(data, positions), diags


# ---------------------------------------------------------------- schemas ---

def _installed(package: str, member: str) -> Path:
    """Folder of a data package installed beside `engine` (a namespace package, so go via a file)."""
    return Path(str(resources.files(package).joinpath(member))).parent


@functools.cache
def schema_dir() -> Path:
    """``schema/`` of the checkout, or the copy installed with the package."""
    here = Path(__file__).resolve().parent.parent / "schema"
    if (here / "rules.schema.json").exists():
        return here
    return _installed("tifa_schema", "rules.schema.json")


@functools.cache
def load_schema(name: str) -> dict:
    return json.loads((schema_dir() / name).read_text(encoding="utf-8"))


def _plain(error) -> tuple[str, str]:
    """Rewrite jsonschema's wording into a message and a hint for rule authors."""
    v, kind = error.validator, error.validator_value
    field_name = error.absolute_path[-1] if error.absolute_path else "file"
    if v == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        return (f"unknown field(s) {', '.join(map(repr, extra))}",
                f"allowed here: {allowed}; check the spelling")
    if v == "required":
        missing = [k for k in kind if k not in (error.instance or {})]
        return f"missing required field(s) {', '.join(map(repr, missing))}", "add the field; see the README field reference"
    if v == "anyOf" and error.schema.get("anyOf") and all("required" in s for s in error.schema["anyOf"]):
        return "rule has nothing to match", "give it `phrases`, `pattern` or `patterns`"
    if v == "type":
        return f"`{field_name}` must be {kind}, found {type(error.instance).__name__}", \
            "a list is written [a, b] or one '- item' per line"
    if v == "enum":
        return f"`{field_name}` must be one of {', '.join(map(str, kind))}, found {error.instance!r}", ""
    if v == "pattern":
        return f"`{field_name}` value {error.instance!r} has the wrong form", \
            "rule ids are ASCII `theme.slug`: lower case letters, digits and dashes, e.g. political.two-safeguards"
    if v in ("minItems", "minLength"):
        return f"`{field_name}` must not be empty", "add at least one entry, or remove the field"
    if v in ("minimum", "maximum", "exclusiveMinimum"):
        return f"`{field_name}` value {error.instance!r} is out of range ({v} {kind})", ""
    if v == "oneOf":
        return f"`{field_name}` has the wrong form", "an example is a string, or {text: ..., todo: reason}"
    return error.message, ""


def schema_diagnostics(located: Located, schema: dict, shown: str) -> list[Diagnostic]:
    import jsonschema   # here, not at the top: a rule set loaded from the cache is not validated again (~70 ms)
    validator = jsonschema.Draft202012Validator(schema)
    out = []
    for error in validator.iter_errors(located.data):
        parts = list(error.absolute_path)
        pointer = parts
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            extra = [k for k in error.instance if k not in error.schema.get("properties", {})]
            pointer = parts + extra[:1]  # point at the unknown key itself
        line, col = located.where(pointer)
        message, hint = _plain(error)
        out.append(Diagnostic(shown, line, col, f"schema-{error.validator}", message, json_path(parts), hint))
    return out


# ---------------------------------------------------------------- model ---

@dataclass(frozen=True)
class Theme:
    id: str
    name: str
    description: str
    subtopics: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    threshold: float
    heading_threshold: float
    summary_themes: int = 4
    summary_min_score: float = 2
    heading_max_chars: int = 40
    heading_min_chars: int = 6


@dataclass(frozen=True)
class Example:
    text: str
    todo: str | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    theme: str | None            # theme name (Chinese) or None for structure rules
    role: str | None             # None | "boilerplate" | "closing"
    phrases: tuple[str, ...]
    patterns: tuple[str, ...]
    unless: tuple[str, ...]
    where: str
    weight: float
    description: str
    match_examples: tuple[Example, ...]
    no_match_examples: tuple[Example, ...]
    file: str
    line: int
    index: int = 0               # position in its file's `rules` list, for JSON paths
    since: int | None = None
    until: int | None = None
    superseded_by: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleSet:
    themes: tuple[Theme, ...]
    settings: Settings
    rules: tuple[Rule, ...]
    version: str
    directory: str
    files: tuple[str, ...] = field(default=())
    # file -> {json path tuple: (line, col)}, for diagnostics that point inside a rule
    positions: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def theme_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.themes)

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


# ---------------------------------------------------------------- loading ---

def default_rules_dir() -> Path:
    """``$TIFA_RULES``, else ``./rules`` when it holds a taxonomy, else the rules installed with tifa."""
    env = os.environ.get("TIFA_RULES")
    if env:
        return Path(env)
    local = Path("rules")
    if (local / TAXONOMY_FILE).exists():
        return local
    checkout = Path(__file__).resolve().parent.parent / "rules"
    if (checkout / TAXONOMY_FILE).exists():
        return checkout
    return _installed("tifa_rules", TAXONOMY_FILE)


def rule_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if p.name not in (TAXONOMY_FILE, QUANTITY_FILE))


def ruleset_hash(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.yaml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _shown(path: Path) -> str:
    """Path as shown in diagnostics: relative to the working directory when possible."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _examples(items) -> tuple[Example, ...]:
    out = []
    for item in items or ():
        if isinstance(item, dict):
            out.append(Example(str(item.get("text", "")), item.get("todo")))
        else:
            out.append(Example(str(item)))
    return tuple(out)


def _load_taxonomy(directory: Path, diags: list[Diagnostic]) -> tuple[tuple[Theme, ...], Settings | None]:
    path = directory / TAXONOMY_FILE
    shown = _shown(path)
    if not path.exists():
        diags.append(Diagnostic(shown, 1, 1, "missing-taxonomy", f"no {TAXONOMY_FILE} in {directory}",
                                hint="a rules directory needs taxonomy.yaml with the themes"))
        return (), None
    located, problems = load_yaml(path, shown)
    diags.extend(problems)
    if located is None:
        return (), None
    schema_problems = schema_diagnostics(located, load_schema("taxonomy.schema.json"), shown)
    diags.extend(schema_problems)
    if schema_problems:
        return (), None
    data = located.data
    themes, seen = [], set()
    for i, t in enumerate(data["themes"]):
        for key in ("id", "name"):
            if t[key] in seen:
                line, col = located.where(("themes", i, key))
                diags.append(Diagnostic(shown, line, col, "duplicate-theme", f"theme {key} {t[key]!r} is used twice",
                                        json_path(("themes", i, key)), "every theme needs its own id and name"))
            seen.add(t[key])
        themes.append(Theme(t["id"], t["name"], t.get("description", ""), tuple(t.get("subtopics", ()))))
    c = data["classify"]
    settings = Settings(c["threshold"], c["heading_threshold"], c.get("summary_themes", 4),
                        c.get("summary_min_score", 2), c.get("heading_max_chars", 40), c.get("heading_min_chars", 6))
    return tuple(themes), settings


def _rule_index(path: str) -> int | None:
    """Index of the rule a JSON path points into (``$.rules[3].pattern`` -> 3), else None."""
    prefix = "$.rules["
    if path.startswith(prefix) and "]" in path:
        return int(path[len(prefix):path.index("]")])
    return None


def _compile_check(pattern: str, shown, located, parts, rule_id, diags) -> None:
    try:
        compile_pattern(pattern)
    except regex.error as exc:
        line, col = located.where(parts)
        diags.append(Diagnostic(shown, line, col, "bad-regex", f"pattern does not compile: {exc}",
                                json_path(parts), "write it in Python `regex` syntax; quote it with '...' in YAML",
                                rule=rule_id))


def _load_rule_file(path: Path, themes: tuple[Theme, ...], diags: list[Diagnostic], positions: dict) -> list[Rule]:
    shown = _shown(path)
    located, problems = load_yaml(path, shown)
    diags.extend(problems)
    if located is None:
        return []
    schema_problems = schema_diagnostics(located, load_schema("rules.schema.json"), shown)
    diags.extend(schema_problems)
    # A broken rule is skipped, its valid neighbours are still loaded and checked; a broken
    # file header (not inside one rule) skips the whole file.
    bad_rules = {_rule_index(d.path) for d in schema_problems}
    if None in bad_rules or not isinstance(located.data.get("rules"), list):
        return []
    by_key = {t.id: t for t in themes} | {t.name: t for t in themes}
    data = located.data
    default_theme = data.get("theme")
    if default_theme is not None and default_theme not in by_key:
        line, col = located.where(("theme",))
        diags.append(Diagnostic(shown, line, col, "unknown-theme", f"theme {default_theme!r} is not in taxonomy.yaml",
                                "$.theme", f"use one of: {', '.join(t.id for t in themes)}"))
        default_theme = None
    rules = []
    for i, raw in enumerate(data["rules"]):
        if i in bad_rules:
            continue
        base = ("rules", i)
        rule_id = raw["id"]
        role = raw.get("role")
        theme_key = raw.get("theme", default_theme if role is None else None)
        theme = by_key.get(theme_key) if theme_key else None
        if role is None and theme is None:
            line, col = located.where(base + (("theme",) if "theme" in raw else ("id",)))
            what = f"theme {theme_key!r} is not in taxonomy.yaml" if theme_key else "rule has no theme"
            diags.append(Diagnostic(shown, line, col, "unknown-theme", what, json_path(base + ("theme",)),
                                    f"use one of: {', '.join(t.id for t in themes)}, or a role for structure rules",
                                    rule=rule_id))
            continue
        if role is not None and "theme" in raw:
            line, col = located.where(base + ("role",))
            diags.append(Diagnostic(shown, line, col, "role-and-theme", "a structure rule (role) cannot have a theme",
                                    json_path(base + ("role",)), "remove `theme` or `role`", rule=rule_id))
        if theme is not None and not rule_id.startswith(theme.id + ".") and role is None:
            line, col = located.where(base + ("id",))
            diags.append(Diagnostic(shown, line, col, "id-prefix",
                                    f"rule id should start with its theme id `{theme.id}.`",
                                    json_path(base + ("id",)), f"rename to {theme.id}.{rule_id.split('.', 1)[-1]}",
                                    level="warning", rule=rule_id))
        patterns = ([raw["pattern"]] if "pattern" in raw else []) + list(raw.get("patterns", []))
        for j, p in enumerate(patterns):
            key = ("pattern",) if "pattern" in raw and j == 0 else ("patterns", j - (1 if "pattern" in raw else 0))
            _compile_check(p, shown, located, base + key, rule_id, diags)
        for j, p in enumerate(raw.get("unless", [])):
            _compile_check(p, shown, located, base + ("unless", j), rule_id, diags)
        for j, phrase in enumerate(raw.get("phrases", [])):
            if not view(phrase).strip():
                line, col = located.where(base + ("phrases", j))
                diags.append(Diagnostic(shown, line, col, "empty-phrase", "phrase is blank after normalization",
                                        json_path(base + ("phrases", j)), "remove it", rule=rule_id))
        if "since" in raw and "until" in raw and raw["since"] > raw["until"]:
            line, col = located.where(base + ("until",))
            diags.append(Diagnostic(shown, line, col, "lifecycle", f"`until` {raw['until']} is before `since` {raw['since']}",
                                    json_path(base + ("until",)), "swap or correct the years", rule=rule_id))
        examples = raw["examples"]
        line, _ = located.where(base)
        rules.append(Rule(
            id=rule_id, theme=theme.name if theme else None, role=role,
            phrases=tuple(raw.get("phrases", ())), patterns=tuple(patterns), unless=tuple(raw.get("unless", ())),
            where=raw.get("where", "any"), weight=float(raw.get("weight", 1)), description=raw.get("description", ""),
            match_examples=_examples(examples.get("match")), no_match_examples=_examples(examples.get("no_match")),
            file=shown, line=line, index=i, since=raw.get("since"), until=raw.get("until"),
            superseded_by=raw.get("superseded_by"), tags=tuple(raw.get("tags", ())),
        ))
    positions[shown] = located.positions
    return rules


def locate(rule: Rule, positions: dict, *parts) -> tuple[int, int, str]:
    """(line, col, JSON path) of a field of a rule, e.g. locate(r, pos, "examples", "match", 2)."""
    parts = ("rules", rule.index) + parts
    file_positions = positions.get(rule.file, {})
    probe = parts
    while probe and probe not in file_positions:
        probe = probe[:-1]
    line, col = file_positions.get(probe, (rule.line, 1))
    return line, col, json_path(parts)


def _cross_file_checks(rules: list[Rule], diags: list[Diagnostic], positions: dict) -> None:
    first: dict[str, Rule] = {}
    for r in rules:
        if r.id in first:
            line, col, path = locate(r, positions, "id")
            other = first[r.id]
            diags.append(Diagnostic(r.file, line, col, "duplicate-id",
                                    f"rule id `{r.id}` is already used at {other.file}:{other.line}",
                                    path, "rule ids must be unique across all rule files", rule=r.id))
        else:
            first[r.id] = r
    for r in rules:
        if r.superseded_by and r.superseded_by not in first:
            line, col, path = locate(r, positions, "superseded_by")
            diags.append(Diagnostic(r.file, line, col, "unknown-rule", f"superseded_by names no rule: `{r.superseded_by}`",
                                    path, "use the id of the newer rule", rule=r.id))


def collect(directory: Path | str | None = None) -> tuple[RuleSet | None, list[Diagnostic]]:
    """Load a rules directory; return the rule set (or None) and every diagnostic found."""
    directory = Path(directory) if directory is not None else default_rules_dir()
    diags: list[Diagnostic] = []
    if not directory.is_dir():
        return None, [Diagnostic(_shown(directory), 1, 1, "no-rules-dir", f"rules directory {directory} does not exist",
                                 hint="pass --rules DIR pointing at a folder with taxonomy.yaml")]
    themes, settings = _load_taxonomy(directory, diags)
    rules: list[Rule] = []
    positions: dict = {}
    files = rule_files(directory)
    for path in files:
        rules.extend(_load_rule_file(path, themes, diags, positions))
    _cross_file_checks(rules, diags, positions)
    if settings is None:
        return None, diags
    # Rules with compile errors cannot be matched; leave them out of the set that is returned
    # so that the valid rules' examples can still be checked in the same run.
    broken = {d.rule for d in diags if d.level == "error" and d.code == "bad-regex"}
    rules = [r for r in rules if r.id not in broken]
    ruleset = RuleSet(themes, settings, tuple(rules), ruleset_hash(directory), str(directory),
                      tuple(_shown(p) for p in files), positions)
    return ruleset, diags


def load(directory: Path | str | None = None) -> RuleSet:
    """Load a rules directory or raise :class:`RuleError` with every problem found.

    Unlike :func:`collect`, which returns whatever valid part it could load for checking,
    this never returns a rule set that had errors.
    """
    ruleset, diags = collect(directory)
    if ruleset is None or any(d.level == "error" for d in diags):
        raise RuleError(diags)
    return ruleset

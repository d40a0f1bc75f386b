"""diff: two rule sets + the same documents -> what changed, paragraph by paragraph.

Input: result objects of the same documents classified with a *base* rule set (a git
revision of the rules, or another rules folder) and with the *current* one. Output:
:class:`ParagraphChange` values (themes gained and lost, hits added, removed or reweighted,
and for each gained or lost theme the rules responsible) and their text or Markdown rendering.
Invariants: a paragraph is reported exactly when its themes, kind or hits differ, which is
exactly when its line of the review snapshot (``engine.render.review``) changes; documents
and paragraphs keep input order; no paths or timestamps beyond what the caller passes.
Only :func:`rules_at_revision` touches the file system (``git archive`` into a temp folder).
"""
from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


class DiffError(Exception):
    """A base rule set that cannot be obtained (unknown revision, no git, no such folder)."""


# ----------------------------------------------------------- base rules ---

def rules_at_revision(ref: str, rules_dir: Path | str, into: Path | str) -> Path:
    """Extract `rules_dir` as it was at git revision `ref` into folder `into`; return the extracted rules folder.

    Uses ``git archive``, so uncommitted edits never leak into the base; the schema used to
    validate both sets is the current one.
    """
    rules_dir = Path(rules_dir).resolve()
    try:
        top = subprocess.run(["git", "-C", str(rules_dir), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, check=True).stdout.strip()
    except FileNotFoundError:
        raise DiffError("git is not installed; use --base-rules DIR instead") from None
    except subprocess.CalledProcessError:
        raise DiffError(f"{rules_dir} is not inside a git repository; use --base-rules DIR instead") from None
    prefix = rules_dir.relative_to(Path(top).resolve()).as_posix()
    run = subprocess.run(["git", "-C", top, "archive", "--format=tar", ref, "--", prefix],
                         capture_output=True)
    if run.returncode != 0:
        message = run.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DiffError(f"cannot read {prefix}/ at revision {ref!r}: {message[-1] if message else 'git archive failed'}")
    with tarfile.open(fileobj=io.BytesIO(run.stdout)) as tar:
        members = [m for m in tar.getmembers() if m.isfile() or m.isdir()]
        try:
            tar.extractall(into, members=members, filter="data")
        except TypeError:  # Python < 3.12 without extraction filters; members are plain files from git
            tar.extractall(into, members=members)
    return Path(into) / prefix


# ----------------------------------------------------------- comparison ---

@dataclass(frozen=True)
class HitChange:
    rule: str
    theme: str | None
    text: str
    change: str            # "added" | "removed" | "reweighted"
    weight: tuple          # (before, after); None where absent


@dataclass(frozen=True)
class ParagraphChange:
    document: str
    index: int
    kind: tuple[str, str]                 # (before, after)
    text: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    gained: tuple[str, ...]
    lost: tuple[str, ...]
    hits: tuple[HitChange, ...]
    responsible: dict = field(default_factory=dict)   # theme -> tuple of rule ids or "heading L<n>"


@dataclass(frozen=True)
class Diff:
    base: str
    current: str
    documents: tuple[str, ...]
    changes: tuple[ParagraphChange, ...]
    errors: tuple[str, ...] = ()

    @property
    def changed_documents(self) -> list[str]:
        return list(dict.fromkeys(c.document for c in self.changes))

    def by_rule(self) -> dict[str, tuple[int, int, int]]:
        """rule id -> (paragraphs where its hits appeared, disappeared, changed weight)."""
        counts: dict[str, list[set]] = {}
        for c in self.changes:
            for h in c.hits:
                slot = {"added": 0, "removed": 1, "reweighted": 2}[h.change]
                counts.setdefault(h.rule, [set(), set(), set()])[slot].add((c.document, c.index))
        return {r: tuple(len(s) for s in v) for r, v in sorted(counts.items())}


def _hits(paragraph: dict) -> dict[tuple, dict]:
    return {(h["rule"], h["span"][0], h["span"][1]): h for h in paragraph.get("hits", [])}


def _responsible(theme: str, gained: bool, hit_changes: list[HitChange], old: dict, new: dict) -> tuple[str, ...]:
    """Rules whose added/removed/reweighted hits moved `theme`; else the heading it flows from."""
    want = "added" if gained else "removed"
    rules = [h.rule for h in hit_changes if h.theme == theme and h.change in (want, "reweighted")]
    if rules:
        return tuple(dict.fromkeys(rules))
    inherited_now = theme in (new.get("inherited") or [])
    inherited_then = theme in (old.get("inherited") or [])
    if inherited_now != inherited_then:
        return (f"heading L{(new if inherited_now else old).get('section')}",)
    if bool(old.get("summary")) != bool(new.get("summary")):
        return ("overview rule (evidence of other themes changed)",)
    other = [h.rule for h in hit_changes]
    return tuple(dict.fromkeys(other)) or ("threshold or weights in taxonomy.yaml",)


def compare_results(base_results: list[dict], current_results: list[dict], texts: dict[str, str] | None = None
                    ) -> tuple[list[ParagraphChange], list[str]]:
    """Paragraph changes between two classifications of the same documents (matched by id)."""
    texts = texts or {}
    base_by_id = {r["document"]["id"]: r for r in base_results}
    changes: list[ParagraphChange] = []
    errors: list[str] = []
    for cur in current_results:
        doc = cur["document"]["id"]
        old = base_by_id.get(doc)
        if cur.get("status") != "ok" or old is None or old.get("status") != "ok":
            errors.append(doc)
            continue
        old_pars = {p["index"]: p for p in old["paragraphs"]}
        text = texts.get(doc)
        for p in cur["paragraphs"]:
            q = old_pars.get(p["index"], {"themes": [], "hits": [], "kind": "-"})
            hits_new, hits_old = _hits(p), _hits(q)
            hit_changes = []
            for key in sorted(set(hits_new) | set(hits_old), key=lambda k: (k[1], k[2], k[0])):
                a, b = hits_old.get(key), hits_new.get(key)
                h = b or a
                if a is None:
                    change = "added"
                elif b is None:
                    change = "removed"
                elif a["weight"] != b["weight"]:
                    change = "reweighted"
                else:
                    continue
                hit_changes.append(HitChange(h["rule"], h.get("theme"), h["text"], change,
                                             (a["weight"] if a else None, b["weight"] if b else None)))
            before, after = tuple(q["themes"]), tuple(p["themes"])
            if before == after and not hit_changes and q["kind"] == p["kind"]:
                continue
            gained = tuple(t for t in after if t not in before)
            lost = tuple(t for t in before if t not in after)
            responsible = {t: _responsible(t, True, hit_changes, q, p) for t in gained}
            responsible.update({t: _responsible(t, False, hit_changes, q, p) for t in lost})
            start, end = p["span"]
            changes.append(ParagraphChange(doc, p["index"], (q["kind"], p["kind"]),
                                           text[start:end] if text is not None else "", before, after,
                                           gained, lost, tuple(hit_changes), responsible))
    return changes, errors


# ----------------------------------------------------------- rendering ---

def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _hit_line(h: HitChange) -> str:
    if h.change == "reweighted":
        return f"~ {h.rule}「{h.text}」 weight {h.weight[0]:g} -> {h.weight[1]:g}"
    return f"{'+' if h.change == 'added' else '-'} {h.rule}「{h.text}」"


def _themes_delta(c: ParagraphChange) -> str:
    parts = [f"+{t}" for t in c.gained] + [f"-{t}" for t in c.lost]
    return " ".join(parts) or "themes unchanged"


def summary_line(diff: Diff) -> str:
    gained = sum(len(c.gained) for c in diff.changes)
    lost = sum(len(c.lost) for c in diff.changes)
    themed = sum(1 for c in diff.changes if c.gained or c.lost)
    return (f"{len(diff.changes)} paragraph(s) changed ({themed} with theme changes: +{gained} -{lost}) "
            f"in {len(diff.changed_documents)} of {len(diff.documents)} document(s)")


def render_text(diff: Diff) -> str:
    rows = [f"rules: {diff.base} -> {diff.current}"]
    for doc in diff.changed_documents:
        rows.append("")
        rows.append(doc)
        for c in (c for c in diff.changes if c.document == doc):
            kind = c.kind[1] if c.kind[0] == c.kind[1] else f"{c.kind[0]}->{c.kind[1]}"
            rows.append(f"  L{c.index:<3} {kind:<11} {_themes_delta(c)}  「{_short(c.text)}」")
            for theme, rules in c.responsible.items():
                sign = "+" if theme in c.gained else "-"
                rows.append(f"        {sign}{theme} because of {', '.join(rules)}")
            for h in c.hits:
                rows.append(f"        {_hit_line(h)}")
    by_rule = diff.by_rule()
    if by_rule:
        rows.append("")
        rows.append("rules behind the changes (paragraphs where hits appeared / disappeared / changed weight):")
        for rule, (a, r, w) in by_rule.items():
            rows.append(f"  {rule}: +{a} -{r} ~{w}")
    for doc in diff.errors:
        rows.append(f"not compared (failed to classify): {doc}")
    rows.append("")
    rows.append(summary_line(diff))
    return "\n".join(rows) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(diff: Diff) -> str:
    """A comment a reviewer pastes into a pull request."""
    rows = [f"### tifa diff: `{_cell(diff.base)}` → `{_cell(diff.current)}`", "", f"**{summary_line(diff)}**"]
    if not diff.changes:
        rows += ["", "No paragraph of the compared documents changes."]
    for doc in diff.changed_documents:
        rows += ["", f"#### {_cell(doc)}", "", "| line | kind | themes | because of | hits | text |",
                 "|---|---|---|---|---|---|"]
        for c in (c for c in diff.changes if c.document == doc):
            kind = c.kind[1] if c.kind[0] == c.kind[1] else f"{c.kind[0]}→{c.kind[1]}"
            themes = " ".join([f"**+{t}**" for t in c.gained] + [f"~~{t}~~" for t in c.lost]) or "(same)"
            because = "<br>".join(f"{t}: {', '.join(r)}" for t, r in c.responsible.items())
            hits = "<br>".join(f"`{_hit_line(h)}`" for h in c.hits)
            rows.append(f"| L{c.index} | {kind} | {themes} | {_cell(because)} | {_cell(hits)} | {_cell(_short(c.text))} |")
    by_rule = diff.by_rule()
    if by_rule:
        rows += ["", "<details><summary>rules behind the changes</summary>", "",
                 "| rule | paragraphs gained a hit | lost a hit | weight changed |", "|---|---|---|---|"]
        rows += [f"| `{r}` | {a} | {d} | {w} |" for r, (a, d, w) in by_rule.items()]
        rows += ["", "</details>"]
    return "\n".join(rows) + "\n"


# ----------------------------------------------------------- running ---

def run_diff(base_ruleset, current_ruleset, sources, base_label: str, current_label: str) -> Diff:
    """Classify every source with both rule sets and compare (sources: engine.corpus.Source values)."""
    from .pipeline import Classifier
    from .read import ReadError, read_bytes

    old, new = Classifier(base_ruleset), Classifier(current_ruleset)
    base_results, current_results, texts, ids = [], [], {}, []
    for s in sources:
        ids.append(s.id)
        if s.error:
            base_results.append(old.error_result(s.id, s.path, "ReadError", s.error))
            current_results.append(new.error_result(s.id, s.path, "ReadError", s.error))
            continue
        try:
            text = s.text if s.text is not None else read_bytes(s.data).text
        except ReadError as exc:
            base_results.append(old.error_result(s.id, s.path, "ReadError", str(exc)))
            current_results.append(new.error_result(s.id, s.path, "ReadError", str(exc)))
            continue
        texts[s.id] = text
        base_results.append(old.classify(text, s.id, path=s.path))
        current_results.append(new.classify(text, s.id, path=s.path))
    changes, errors = compare_results(base_results, current_results, texts)
    return Diff(base_label, current_label, tuple(ids), tuple(changes), tuple(errors))


# ----------------------------------------------------------- command ---

def _command():
    import sys

    import click

    from .corpus import iter_sources
    from .cliutil import load_or_exit
    from .rules import default_rules_dir

    @click.command("diff")
    @click.argument("paths", nargs=-1)
    @click.option("--base", "base_ref", default=None, metavar="REF",
                  help="Git revision of the rules to compare against (e.g. HEAD, main, origin/main~1).")
    @click.option("--base-rules", "base_dir", type=click.Path(file_okay=False, exists=True), default=None,
                  help="A rules folder to compare against, instead of a git revision.")
    @click.option("--rules", "rules_dir", type=click.Path(file_okay=False), default=None,
                  help="The new rules (default: $TIFA_RULES, ./rules, or the rules installed with tifa).")
    @click.option("--format", "fmt", type=click.Choice(["text", "md"]), default="text", show_default=True,
                  help="`md` is a comment to paste into a pull request.")
    @click.option("--exit-code", is_flag=True, help="Exit 1 when any paragraph changed (like `git diff --exit-code`).")
    def diff_command(paths, base_ref, base_dir, rules_dir, fmt, exit_code):
        """What a rule change does to classified reports: per document and paragraph, themes gained and
        lost and the rules responsible. PATH... defaults to seeds/.

        \b
        Examples:
          tifa diff --base HEAD                       # working-tree rules vs the last commit, on seeds/
          tifa diff --base origin/main --format md seeds/ > comment.md
          tifa diff --base-rules /tmp/old-rules report.txt --exit-code
        Exit status: 0 (or 0/1 with --exit-code: 1 when something changed), 2 usage or rule errors.
        """
        if (base_ref is None) == (base_dir is None):
            raise click.UsageError("give exactly one of --base REF or --base-rules DIR")
        paths = list(paths)
        if not paths:
            if not Path("seeds").is_dir():
                raise click.UsageError("no PATH given and no seeds/ folder here")
            paths = ["seeds"]
        current_dir = Path(rules_dir) if rules_dir else default_rules_dir()
        current = load_or_exit(str(current_dir))
        with tempfile.TemporaryDirectory(prefix="tifa-diff-") as tmp:
            if base_ref is not None:
                try:
                    base_path = rules_at_revision(base_ref, current_dir, tmp)
                except DiffError as exc:
                    click.echo(f"tifa: {exc}", err=True)
                    sys.exit(2)
                label = f"{base_ref}:{os.path.relpath(current_dir)}"
            else:
                base_path, label = Path(base_dir), os.path.relpath(base_dir)
            base = load_or_exit(str(base_path))
            result = run_diff(base, current, iter_sources(paths), label, os.path.relpath(current_dir))
        click.echo(render_markdown(result) if fmt == "md" else render_text(result), nl=False)
        sys.exit(1 if exit_code and result.changes else 0)

    return diff_command


command = _command()

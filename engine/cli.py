"""cli: the `tifa` command. Parses options, makes one call into the library, maps errors to
exit codes (0 ok, 1 some documents failed, 2 usage or rule errors). No classification logic."""
from __future__ import annotations

import json
import sys

import click

from . import render
from .check import example_diagnostics
from .corpus import atomic_write, iter_sources, load_manifest_names
from .diagnostics import RuleError
from .evaluate import evaluate, read_gold
from .pipeline import Classifier
from .rules import collect, load

EXIT_OK, EXIT_DOC_FAILED, EXIT_USAGE = 0, 1, 2
RULES_OPTION = click.option("--rules", "rules_dir", type=click.Path(file_okay=False), default=None,
                            help="Rules directory (default: $TIFA_RULES, ./rules, or the rules installed with tifa).")


def _load_or_exit(rules_dir):
    try:
        return load(rules_dir)
    except RuleError as exc:
        for d in exc.diagnostics:
            if d.level == "error":
                click.echo(d.text(), err=True)
        click.echo(f"tifa: {exc}; run `tifa rules check` for details", err=True)
        sys.exit(EXIT_USAGE)


def _results(classifier: Classifier, paths: list[str]):
    for source in iter_sources(paths):
        if source.error:
            yield classifier.error_result(source.id, source.path, "ReadError", source.error)
        elif source.text is not None:
            yield classifier.classify(source.text, source.id, path=source.path)
        else:
            yield classifier.classify_bytes(source.data, source.id, source.path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tifa-engine")
def main():
    """tifa (提法): classify Chinese organization-work reports into themes, with evidence.

    \b
    Examples:
      tifa classify seeds/                      # every report in a folder, JSON
      tifa classify --format md report.txt      # a readable table
      tifa rules check                          # validate the rule files
      tifa eval --gold seeds/gold/seeds.themes.jsonl seeds/
    """


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "csv", "md", "review"]), default="json",
              show_default=True, help="Output format; `review` is the one-line-per-paragraph text of the snapshots.")
@RULES_OPTION
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write to FILE (atomically: a failed run leaves no half-written file).")
def classify(paths, fmt, rules_dir, output):
    """Classify reports: files, folders (recursive: .txt .htm .html) or - for stdin.

    \b
    Example:
      tifa classify seeds/ --format jsonl -o results.jsonl
    Exit status: 0 all documents ok, 1 some failed (they appear with status "error"), 2 usage or rule errors.
    """
    classifier = Classifier(_load_or_exit(rules_dir))
    failed = []

    def chunks():
        first = True
        if fmt == "json":
            yield "["
        if fmt == "csv":
            yield render.csv_header()
        for result in _results(classifier, list(paths)):
            if result["status"] != "ok":
                failed.append(result["document"]["id"])
            if fmt == "json":
                body = json.dumps(result, ensure_ascii=False, indent=2)
                yield ("\n" if first else ",\n") + body
            elif fmt == "jsonl":
                yield render.to_jsonl_line(result)
            elif fmt == "csv":
                yield render.to_csv_rows(result)
            elif fmt == "md":
                yield render.to_markdown(result)
            else:
                yield render.review(result) + "\n"
            first = False
        if fmt == "json":
            yield "\n]\n"

    if output:
        atomic_write(output, chunks())
    else:
        for chunk in chunks():
            click.echo(chunk, nl=False)
    for doc in failed:
        click.echo(f"tifa: document {doc} failed (see its error in the output)", err=True)
    sys.exit(EXIT_DOC_FAILED if failed else EXIT_OK)


@main.group()
def rules():
    """Commands for rule authors."""


@rules.command("check")
@RULES_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_check(rules_dir, fmt):
    """Validate the rule files: schema, semantics, and every rule's examples.

    \b
    Example:
      tifa rules check --rules rules/
    Prints `file:line:col: [level] code: message (rule-id) (json path)` for every problem, then a summary.
    Exit status: 0 clean (warnings and todo notes allowed), 2 when any error is found.
    """
    ruleset, diags = collect(rules_dir)
    if ruleset is not None:
        diags = diags + example_diagnostics(ruleset)
    diags.sort(key=lambda d: d.sort_key)
    errors = sum(1 for d in diags if d.level == "error")
    warnings = sum(1 for d in diags if d.level == "warning")
    if fmt == "json":
        click.echo(json.dumps({"diagnostics": [d.as_dict() for d in diags], "errors": errors, "warnings": warnings,
                               "rules": len(ruleset.rules) if ruleset else None}, ensure_ascii=False, indent=2))
    else:
        for d in diags:
            click.echo(d.text())
        count = f"{len(ruleset.rules)} rules checked" if ruleset else "rules not loaded"
        click.echo(f"{count}: {errors} error(s), {warnings} warning(s), "
                   f"{sum(1 for d in diags if d.level == 'info')} note(s)")
    sys.exit(EXIT_USAGE if errors else EXIT_OK)


@main.command("eval")
@click.argument("paths", nargs=-1, required=True)
@click.option("--gold", "gold_path", type=click.Path(exists=True, dir_okay=False), required=True,
              help="Gold paragraph labels (JSON Lines: doc, line, themes).")
@RULES_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--errors", "show_errors", is_flag=True, help="Also list every paragraph where prediction and gold differ.")
def eval_command(paths, gold_path, rules_dir, fmt, show_errors):
    """Score paragraph themes against gold labels: per-theme precision, recall, F1 and macro-F1.

    \b
    Example:
      tifa eval --gold seeds/gold/seeds.themes.jsonl seeds/
    Gold documents are matched by file name, or by the original names in a manifest.yaml beside the documents.
    """
    ruleset = _load_or_exit(rules_dir)
    classifier = Classifier(ruleset)
    try:
        gold = read_gold(gold_path)
    except ValueError as exc:
        click.echo(f"tifa: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    results = list(_results(classifier, list(paths)))
    report = evaluate(results, gold, ruleset.theme_names, load_manifest_names(list(paths)))
    if fmt == "json":
        data = report.as_dict()
        if not show_errors:
            data.pop("errors")
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(report.text(), nl=False)
        if show_errors:
            for e in report.errors:
                click.echo(f"  {e['doc']} L{e['line']}: gold={','.join(e['gold']) or '-'} "
                           f"predicted={','.join(e['predicted']) or '-'}")
    sys.exit(EXIT_OK)


if __name__ == "__main__":
    main()

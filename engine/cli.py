"""cli: the `tifa` command. Parses options, makes one call into the library, maps errors to
exit codes (0 ok, 1 some documents failed, 2 usage or rule errors). No classification logic."""
from __future__ import annotations

import gc
import json
import sys

import click

from . import render
from . import quantities as quantity_stage
from . import quantity_eval, quantity_table
from .lint import all_diagnostics
from . import parallel
from .cache import load_cached, load_cached_parts
from .cliutil import exit_with_rule_errors, gc_paused
from .corpus import atomic_write, input_size, iter_sources, load_manifest_names
from .diagnostics import RuleError
from .evaluate import evaluate, read_gold
from .pipeline import Classifier
from .rules import collect

EXIT_OK, EXIT_DOC_FAILED, EXIT_USAGE = 0, 1, 2
RULES_OPTION = click.option("--rules", "rules_dir", type=click.Path(file_okay=False), default=None,
                            help="Rules directory (default: $TIFA_RULES, ./rules, or the rules installed with tifa).")


def _classifier_or_exit(rules_dir) -> Classifier:
    """A classifier for the rules directory, its rules and quantity grammar from the cache when unchanged."""
    try:
        return Classifier(*load_cached_parts(rules_dir))
    except RuleError:
        _load_or_exit(rules_dir)  # the rule files are at fault: report them as `_load_or_exit` does
        raise


def _load_or_exit(rules_dir):
    try:
        ruleset = load_cached(rules_dir)  # same RuleSet as load(), from a cache keyed by the files' hash
        quantity_stage.load(ruleset.directory, ruleset)  # quantities.yaml errors stop a run like rule errors
        return ruleset
    except RuleError as exc:
        exit_with_rule_errors(exc)


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
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: all cores). Output order never depends on it.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar (it is only shown when stderr is a terminal).")
def classify(paths, fmt, rules_dir, output, jobs, quiet):
    """Classify reports: files, folders (recursive: .txt .htm .html), JSON Lines corpora
    (.jsonl, .jsonl.gz: one {"id": ..., "text": ...} per line) or - for stdin.

    \b
    Examples:
      tifa classify seeds/ --format jsonl -o results.jsonl
      tifa classify archive.jsonl.gz --format jsonl --jobs 2 > results.jsonl
    Results are written as they are produced, in input order. Exit status: 0 all documents ok,
    1 some failed (they appear with status "error"), 2 usage or rule errors.
    """
    with gc_paused():
        classifier = _classifier_or_exit(rules_dir)
    # The compiled rules live as long as the process: keep them out of the garbage collector's
    # walks (tens of thousands of objects at 10,000 rules), here and in forked workers.
    gc.freeze()
    failed = []
    bar = None
    if not quiet and sys.stderr.isatty():
        bar = click.progressbar(length=max(1, input_size(list(paths))), label="classifying", file=sys.stderr,
                                show_pos=False, show_percent=True, show_eta=True)

    def chunks():
        first = True
        if fmt == "json":
            yield "["
        if fmt == "csv":
            yield render.csv_header()
        # corpus lines are read by the workers: the parent only passes them on and writes results
        for done in parallel.run(classifier, iter_sources(list(paths), raw_records=True), fmt, jobs):
            if done.status != "ok":
                failed.append(done.id)
            yield (("\n" if first else ",\n") + done.body) if fmt == "json" else done.body
            if bar is not None:
                bar.update(done.size)
            first = False
        if fmt == "json":
            yield "\n]\n"
        if bar is not None:
            bar.render_finish()

    if output:
        atomic_write(output, chunks())
    else:
        stdout = getattr(sys.stdout, "buffer", None)
        for chunk in chunks():
            if stdout is not None and type(chunk) is bytes:
                stdout.write(chunk)   # a JSON line, UTF-8 as orjson wrote it (click.echo's checks cost ~15 µs a line)
            else:
                click.echo(chunk, nl=False)
        if stdout is not None:
            stdout.flush()
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
    """Validate the rule files: schema, semantics, every rule's examples, and lint.

    Lint (engine/lint.py) warns about the same phrase in two rules, shadowed rules, exclusions
    that can never apply, themes without rules, risky regexes and slogan lifecycle fields.

    \b
    Example:
      tifa rules check --rules rules/
    Prints `file:line:col: [level] code: message (rule-id) (json path)` for every problem, then a summary.
    Exit status: 0 clean (warnings and todo notes allowed), 2 when any error is found.
    """
    ruleset, diags = collect(rules_dir)
    if ruleset is not None:
        diags = diags + all_diagnostics(ruleset)  # examples and lint, sharing one compiled matcher
        diags = diags + quantity_stage.check(ruleset.directory, ruleset)  # quantities.yaml, its examples too
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
@click.option("--gold", "gold_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Gold paragraph labels (JSON Lines: doc, line, themes).")
@click.option("--quantities", "quantities_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Gold quantities (CSV like seeds/gold/seeds.quantities.csv): detection P/R/F1, value/qualifier/unit accuracy.")
@RULES_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--errors", "show_errors", is_flag=True, help="Also list every paragraph where prediction and gold differ.")
def eval_command(paths, gold_path, quantities_path, rules_dir, fmt, show_errors):
    """Score against gold files: paragraph themes (per-theme P/R/F1, macro-F1) and/or quantities.

    Quantities: detection precision, recall and F1 (a prediction matches a gold target when
    the spans overlap), then value, qualifier and unit accuracy on the matched targets.

    \b
    Examples:
      tifa eval --gold seeds/gold/seeds.themes.jsonl seeds/
      tifa eval --quantities seeds/gold/seeds.quantities.csv seeds/
    Gold documents are matched by file name, or by the original names in a manifest.yaml beside the documents.
    """
    if not gold_path and not quantities_path:
        click.echo("tifa: give --gold FILE, --quantities FILE or both", err=True)
        sys.exit(EXIT_USAGE)
    ruleset = _load_or_exit(rules_dir)
    classifier = Classifier(ruleset)
    try:
        gold = read_gold(gold_path) if gold_path else None
        quantity_gold = quantity_eval.read_gold(quantities_path) if quantities_path else None
    except ValueError as exc:
        click.echo(f"tifa: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    results = list(_results(classifier, list(paths)))
    if quantity_gold is not None:
        q_report = quantity_eval.evaluate(results, quantity_gold, load_manifest_names(list(paths)))
        if gold is None:
            data = q_report.as_dict()
            if not show_errors:
                data.pop("errors")
            click.echo(json.dumps(data, ensure_ascii=False, indent=2) if fmt == "json" else q_report.text(), nl=fmt == "json")
            if show_errors and fmt != "json":
                for e in q_report.errors:
                    click.echo("  " + json.dumps(e, ensure_ascii=False))
            sys.exit(EXIT_OK)
    report = evaluate(results, gold, ruleset.theme_names, load_manifest_names(list(paths)))
    if quantity_gold is not None:
        if fmt == "json":
            data = report.as_dict()
            data["quantities"] = q_report.as_dict()
            if not show_errors:
                data.pop("errors")
                data["quantities"].pop("errors")
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
            sys.exit(EXIT_OK)
        click.echo(q_report.text(), nl=False)
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


@main.command("quantities")
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "md"]), default="csv", show_default=True,
              help="csv for spreadsheets, jsonl for programs, md for reading.")
@RULES_OPTION
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write to FILE (atomically: a failed run leaves no half-written file).")
def quantities_command(paths, fmt, rules_dir, output):
    """List the achievements (数字成绩) of reports: one row per quantity, across documents.

    \b
    Example:
      tifa quantities seeds/ --format csv -o achievements.csv
    Columns: document, paragraph (line), theme, subject, value, range_low, range_high, qualifier,
    unit, kind, text, rule. Ages and durations are not achievements and are left out.
    Exit status: 0 all documents ok, 1 some failed (reported on stderr), 2 usage or rule errors.
    """
    classifier = Classifier(_load_or_exit(rules_dir))
    failed = []
    render_one = {"csv": quantity_table.to_csv, "jsonl": quantity_table.to_jsonl, "md": quantity_table.to_markdown}[fmt]

    def chunks():
        yield {"csv": quantity_table.csv_header(), "md": quantity_table.MD_HEADER}.get(fmt, "")
        for result in _results(classifier, list(paths)):
            if result["status"] != "ok":
                failed.append((result["document"]["id"], result["error"]["message"]))
            yield render_one(result)

    if output:
        atomic_write(output, chunks())
    else:
        for chunk in chunks():
            click.echo(chunk, nl=False)
    for doc, message in failed:
        click.echo(f"tifa: document {doc} failed: {message}", err=True)
    sys.exit(EXIT_DOC_FAILED if failed else EXIT_OK)


# Rule-author commands live beside their library code (engine/explain.py, diff.py, stats.py, suggest.py).
from . import diff as _diff  # noqa: E402
from . import explain as _explain  # noqa: E402
from . import stats as _stats  # noqa: E402
from . import suggest as _suggest  # noqa: E402

main.add_command(_explain.command)
main.add_command(_diff.command)
main.add_command(_stats.command)
main.add_command(_suggest.command)


if __name__ == "__main__":
    main()

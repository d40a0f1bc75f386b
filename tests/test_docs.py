"""The README's field reference is generated from schema/rules.schema.json and must be fresh."""
from __future__ import annotations

import copy
import json

import pytest

from engine.docs import END, START, field_reference, main, render_readme

from conftest import ROOT

SCHEMA = json.loads((ROOT / "schema" / "rules.schema.json").read_text(encoding="utf-8"))


def test_readme_field_reference_is_fresh():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert render_readme(readme, SCHEMA) == readme, "run `python -m engine.docs` and commit README.md"


def test_every_rule_field_is_documented():
    text = field_reference(SCHEMA)
    for name, spec in SCHEMA["$defs"]["rule"]["properties"].items():
        assert f"| `{name}` |" in text
        assert spec["title"] in text


def test_a_schema_change_makes_the_reference_stale():
    changed = copy.deepcopy(SCHEMA)
    changed["$defs"]["rule"]["properties"]["weight"]["description"] = "Something new."
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert render_readme(readme, changed) != readme
    assert "Something new." in field_reference(changed)


def test_markers_are_required_and_the_rest_is_kept():
    with pytest.raises(ValueError):
        render_readme("# no markers\n", SCHEMA)
    out = render_readme(f"before\n{START}\nold\n{END}\nafter\n", SCHEMA)
    assert out.startswith(f"before\n{START}\n<!-- generated") and out.endswith(f"{END}\nafter\n")
    assert "old" not in out.split(START)[1].split(END)[0].splitlines()


def test_check_mode_exit_code():
    assert main(["--check"]) == 0

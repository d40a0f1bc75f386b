"""core: tifa's compiled loops, where they were built: the per-hit loops
(``engine/_hitcore.c``), the numeral scan, readings, subjects and rule choice of the quantity
stage (``engine/_quantities.c``) and the character loops of the normalize stage
(``engine/_normalize.c``).

Input: nothing (an import). Output: :data:`NATIVE`, the module the match, classify and
pipeline stages call, :data:`QUANTITIES`, the one the quantity stage calls, and
:data:`NORMALIZE`, the one the normalize stage calls; each is None where it is not built.
Invariants: every compiled function gives exactly what the Python code it stands for gives,
so results never depend on whether the modules were built.

A document makes tens of thousands of hits per megabyte; scanning them, collecting, sorting,
grouping by paragraph, filtering plain rules, summing scores and writing evidence objects cost
a few microseconds each in Python. ``_hitcore`` does these loops in C behind the same
functions (:func:`engine.match.by_paragraph`, :func:`engine.match.filter_hits`,
:func:`engine.classify.own_scores` and :func:`engine.classify.label`, the paragraphs and
evidence of a JSON line (:mod:`engine.pipeline`), and the ``native``
scanner of :class:`engine.match.Matcher`). ``_quantities`` does the numeral scan of the
quantity stage with the refusals that need nothing but the numeral, the reading of each
numeral in its paragraph, the subjects and the choice of quantity rule
(:meth:`engine.quantities.Extractor.numerals`, ``Extractor._candidate`` for a whole paragraph,
``Extractor._subject``, ``Extractor._rule``). ``_normalize`` maps a text through the view's
table and counts its traditional characters (:func:`engine.normalize.view`,
:func:`engine.normalize.detect_script`). The Python code stays as the reference: the tests run
both and compare them (tests/test_hitcore.py, tests/test_quantities_core.py,
tests/test_normalize_core.py).

The modules are compiled by ``pip install`` (setup.py) when a C compiler is there; without one
the install goes on and tifa runs its Python code, with identical results. ``TIFA_CORE=python``
turns them all off (read at import).
"""
from __future__ import annotations

import importlib
import os


def _compiled(name: str):
    try:
        return importlib.import_module(f".{name}", __package__)
    except ImportError:  # not built on this machine (no C compiler at install time)
        return None


#: the compiled modules whatever ``TIFA_CORE`` says (the ``native`` scanner can still be asked
#: for by name, and tests compare each with the Python code)
COMPILED = _compiled("_hitcore")
COMPILED_QUANTITIES = _compiled("_quantities")
COMPILED_NORMALIZE = _compiled("_normalize")

# what the stages use: None when a module is not built or ``TIFA_CORE=python``
_WANTED = os.environ.get("TIFA_CORE", "auto") != "python"
NATIVE = COMPILED if _WANTED else None
QUANTITIES = COMPILED_QUANTITIES if _WANTED else None
NORMALIZE = COMPILED_NORMALIZE if _WANTED else None


def built() -> bool:
    """Whether the compiled modules exist here (whatever ``TIFA_CORE`` says)."""
    return None not in (COMPILED, COMPILED_QUANTITIES, COMPILED_NORMALIZE)

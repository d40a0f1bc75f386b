"""core: the compiled per-hit loops (``engine/_hitcore.c``) and numeral scan
(``engine/_numerals.c``), where they were built.

Input: nothing (an import). Output: :data:`NATIVE`, the compiled module the match, classify and
pipeline stages call, and :data:`NUMERALS`, the one the quantity stage calls; each is None
where it is not built. Invariants: every compiled function gives exactly what the Python
code it stands for gives, so results never depend on whether the module was built.

A document makes tens of thousands of hits per megabyte; scanning them, collecting, sorting,
grouping by paragraph, filtering plain rules, summing scores and writing evidence objects cost
a few microseconds each in Python. ``_hitcore`` does these loops in C behind the same
functions (:func:`engine.match.by_paragraph`, :func:`engine.match.filter_hits`,
:func:`engine.classify.own_scores`, the evidence of :mod:`engine.pipeline`, and the ``native``
scanner of :class:`engine.match.Matcher`). ``_numerals`` does the numeral scan of the
quantity stage and the refusals that need nothing but the numeral
(:meth:`engine.quantities.Extractor.numerals`). The Python code stays as the reference: the
tests run both and compare them (tests/test_hitcore.py).

The modules are compiled by ``pip install`` (setup.py) when a C compiler is there; without one
the install goes on and tifa runs its Python code, with identical results. ``TIFA_CORE=python``
turns both off (read at import).
"""
from __future__ import annotations

import os

try:
    from . import _hitcore as COMPILED
except ImportError:  # not built on this machine (no C compiler at install time)
    COMPILED = None
try:
    from . import _numerals as COMPILED_NUMERALS
except ImportError:
    COMPILED_NUMERALS = None

#: the compiled module for the stages to use, or None when it is not built or ``TIFA_CORE=python``
#: (:data:`COMPILED` is the module whatever ``TIFA_CORE`` says: the ``native`` scanner can
#: still be asked for by name, and tests compare it with the Python code)
_WANTED = os.environ.get("TIFA_CORE", "auto") != "python"
NATIVE = COMPILED if _WANTED else None
#: the compiled numeral scan for the quantity stage, or None (likewise)
NUMERALS = COMPILED_NUMERALS if _WANTED else None


def built() -> bool:
    """Whether the compiled modules exist here (whatever ``TIFA_CORE`` says)."""
    return COMPILED is not None and COMPILED_NUMERALS is not None

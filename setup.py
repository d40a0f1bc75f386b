"""The compiled modules, engine/_hitcore.c, _quantities.c and _normalize.c (see engine/core.py).
Everything else is in pyproject.toml.

The extensions are optional: where they cannot be compiled (no C compiler), the install goes
on and tifa runs its Python code, with identical results.
"""
from setuptools import Extension, setup

setup(ext_modules=[Extension(f"engine.{name}", [f"engine/{name}.c"], optional=True, extra_compile_args=["-O2"])
                   for name in ("_hitcore", "_quantities", "_normalize")])

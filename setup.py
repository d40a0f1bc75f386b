"""The one compiled module, engine/_hitcore.c (see engine/core.py). Everything else is in pyproject.toml.

The extension is optional: where it cannot be compiled (no C compiler), the install goes on
and tifa runs its Python code, with identical results.
"""
from setuptools import Extension, setup

setup(ext_modules=[Extension("engine._hitcore", ["engine/_hitcore.c"], optional=True,
                             extra_compile_args=["-O2"])])

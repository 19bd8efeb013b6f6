"""Build the extractor's compiled hot stages (farmwatch/analysis/extract/_walk.pyx).

The extension is optional: when it can't be built (no compiler), the install still
succeeds and the extractor uses its pure-Python stages, which give the same blocks.
Everything else about the package is declared in pyproject.toml.
"""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [Extension("farmwatch.analysis.extract._walk", ["farmwatch/analysis/extract/_walk.pyx"], optional=True)],
        compiler_directives={"language_level": "3"},
        quiet=True,
    )
)

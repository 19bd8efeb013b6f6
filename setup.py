"""Build the compiled hot stages: the extractor's (farmwatch/analysis/extract/_walk.pyx), the
word look-up of text preparation (farmwatch/analysis/_text.pyx), the MinHash values
(farmwatch/analysis/_minhash.pyx) and the sentence alignment's scores (farmwatch/analysis/_align.pyx).

The extensions are optional: when they can't be built (no compiler), the install still
succeeds and the analysis uses its pure-Python stages, which give the same results.
Everything else about the package is declared in pyproject.toml.
"""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [
            Extension("farmwatch.analysis.extract._walk", ["farmwatch/analysis/extract/_walk.pyx"], optional=True),
            Extension("farmwatch.analysis._text", ["farmwatch/analysis/_text.pyx"], optional=True),
            Extension("farmwatch.analysis._minhash", ["farmwatch/analysis/_minhash.pyx"], optional=True),
            Extension("farmwatch.analysis._align", ["farmwatch/analysis/_align.pyx"], optional=True),
        ],
        compiler_directives={"language_level": "3"},
        quiet=True,
    )
)

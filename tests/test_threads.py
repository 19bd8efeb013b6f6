"""A farmwatch process starts no BLAS thread pool: numpy's OpenBLAS would start one thread per core."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = (
    "import os, farmwatch.analysis.page, numpy;"
    "print(os.environ.get('OPENBLAS_NUM_THREADS'), len(os.listdir('/proc/self/task')))"
)


def _run(env: dict[str, str]) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_importing_farmwatch_keeps_numpy_on_one_thread() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    assert _run(env) == ["1", "1"]


def test_a_value_the_user_set_is_kept() -> None:
    setting, _ = _run({**os.environ, "OPENBLAS_NUM_THREADS": "2"})
    assert setting == "2"

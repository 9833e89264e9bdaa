"""Shared test settings: the repo root, and the kit's command line."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def without_blas_settings():
    """This environment without the variables bin/blas-env reads, so that a test chooses the BLAS mode itself."""
    mine = ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS", "MINITRAIN_BLAS",
            "GLIBC_TUNABLES")
    return {k: v for k, v in os.environ.items() if k not in mine}


def minitrain(*args, cwd=None, env=None, timeout=600):
    """Runs bin/minitrain and returns the CompletedProcess (text mode). A None in env unsets that variable."""
    full_env = {k: v for k, v in dict(os.environ, **(env or {})).items() if v is not None}
    return subprocess.run([str(ROOT / "bin" / "minitrain"), *map(str, args)], cwd=cwd or ROOT,
                          env=full_env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def root():
    return ROOT


@pytest.fixture
def python():
    return os.environ.get("KIT_PYTHON", sys.executable)

"""Executed copies of the kit's notebooks for tests that read what a notebook printed.

A copy in build/notebooks is reused while it is newer than its source and the library jar; otherwise the notebook
runs again on the JJava kernel (bin/notebooks), so a claim is never checked against a stale run."""
import importlib.machinery
import importlib.util

import nbformat

from conftest import ROOT

_loader = importlib.machinery.SourceFileLoader("kit_notebooks", str(ROOT / "bin" / "notebooks"))
_spec = importlib.util.spec_from_loader("kit_notebooks", _loader)
runner = importlib.util.module_from_spec(_spec)
_loader.exec_module(runner)

OUT = ROOT / "build" / "notebooks"
JAR = ROOT / "lib" / "target" / "jars" / "minitrain.jar"


def executed(folder, name):
    """The executed copy of notebooks/FOLDER/NAME, run now if missing or older than its inputs."""
    source, copy = ROOT / "notebooks" / folder / name, OUT / folder / name
    newest_input = max(source.stat().st_mtime, JAR.stat().st_mtime if JAR.exists() else 0)
    if not copy.exists() or copy.stat().st_mtime < newest_input:
        runner.execute(source, OUT)
    return nbformat.read(copy, as_version=4)

"""Lab 04 (MLflow wraps the manifest): what its prose claims is what its executed cells print.

The worked solution and the learner's lab are executed once each (or read from build/notebooks/ when that copy is
newer than the notebook and the library jar, as test_notebooks.py leaves them). Asserted on the outputs: the check's
verdict, the one-line error when the server stops mid-sync, no file changed by the failed sync, the half-synced
run left on the server, and the rerun completing that same run with no duplicated point.
"""
import importlib.machinery
import importlib.util
import re

import nbformat
import pytest

from conftest import ROOT

_loader = importlib.machinery.SourceFileLoader("kit_notebooks", str(ROOT / "bin" / "notebooks"))
_spec = importlib.util.spec_from_loader("kit_notebooks", _loader)
runner = importlib.util.module_from_spec(_spec)
_loader.exec_module(runner)

OUT = ROOT / "build" / "notebooks"
NAME = "04-mlflow-wiring.ipynb"
JAR = ROOT / "lib" / "target" / "jars" / "minitrain.jar"


def executed(folder):
    source, copy = ROOT / "notebooks" / folder / NAME, OUT / folder / NAME
    newest_input = max(source.stat().st_mtime, JAR.stat().st_mtime if JAR.exists() else 0)
    if not copy.exists() or copy.stat().st_mtime < newest_input:
        runner.execute(source, OUT)
    return nbformat.read(copy, as_version=4)


def texts(nb):
    """Every text a code cell printed or returned, in order, one entry per line."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/plain") or out.get("text")
            if text:
                yield from text.splitlines()


def line(nb, prefix):
    found = [t for t in texts(nb) if t.startswith(prefix)]
    assert len(found) == 1, f"expected one output line starting {prefix!r}, found {found}"
    return found[0]


@pytest.fixture(scope="module")
def solution():
    return executed("solutions")


@pytest.fixture(scope="module")
def lab():
    return executed("lab")


def test_the_worked_sync_gives_the_librarys_run(solution):
    check = line(solution, "correct: myRun + myMetrics + myArtifacts gives Sync's run: ")
    assert check.endswith("FINISHED"), check
    assert not [t for t in texts(solution) if t.startswith(("not answered yet", "not right yet"))]


def test_the_server_down_mid_sync_is_one_line_and_the_rerun_completes_the_same_run(solution):
    failed = line(solution, "the sync failed with: ")
    assert failed.startswith("the sync failed with: cannot reach MLflow at http://127.0.0.1:"), failed
    assert "the manifest is unchanged and rerunning completes the sync" in failed
    # Two batches of 50 got through before the server stopped: the run is there, half done.
    half = [t for t in texts(solution) if re.match(r"run [0-9a-f]{32} is ", t)]
    assert len(half) == 1, half
    m = re.fullmatch(r"run ([0-9a-f]{32}) is RUNNING with 100 metric points \(2 batches got through\)", half[0])
    assert m, half
    rerun = line(solution, "rerun: run ")
    assert rerun == f"rerun: run {m.group(1)} (the same run), FINISHED, 1 run(s) for this model", rerun
    assert re.fullmatch(r"metric points: \d+, of which duplicated: 0", line(solution, "metric points: "))
    assert line(solution, "the same metric history as Sync's run").endswith("point for point: true")
    assert [t for t in texts(solution) if t.startswith("files changed: ")] == ["files changed: none"] * 2


def test_the_unanswered_lab_says_so_and_runs_on_the_librarys_sync(lab):
    line(lab, "not answered yet: write myRun + myMetrics + myArtifacts in the cell above")
    assert line(lab, "not answered yet: mySync needs") == (
        "not answered yet: mySync needs your three pieces; the rest of this lab uses the library's Sync.sync")
    assert not [t for t in texts(lab) if t.startswith(("correct: ", "not right yet: "))]
    assert line(lab, "the sync failed with: ").startswith("the sync failed with: cannot reach MLflow at ")
    # Sync.sync writes one file, the manifest's mlflow block, and only once the run is complete.
    assert [t for t in texts(lab) if t.startswith("files changed: ")] == [
        "files changed: none", "files changed: " + line(lab, "model      ").split()[1].replace(".safetensors", ".json")]
    assert re.fullmatch(r"metric points: \d+, of which duplicated: 0", line(lab, "metric points: "))
    assert line(lab, "the same metric history as Sync's run").endswith("point for point: true")

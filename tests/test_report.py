"""The phase report decides its checklist by code: all ticked for a finished phase, unticked with a reason otherwise.

Uses the model the kit ships (a copy, so its manifest is left alone), a real `mlflow server` in a temporary
folder, and the executed labs 01 and 03 (run here headless with KIT_SMOKE=1 if test_notebooks has not run them).
"""
import json
import re
import shutil
import subprocess

import nbformat
import pytest

from conftest import ROOT, minitrain
from test_notebooks import OUT, outputs, runner

SHIPPED = sorted((ROOT / "models").glob("minigpt-phase18-*.safetensors"))[0]


def server(*args):
    return subprocess.run([str(ROOT / "bin" / "mlflow-server"), *map(str, args)], capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def executed_labs():
    for name in ("01-train-mini", "03-mp-drift"):
        if not (OUT / "lab" / f"{name}.ipynb").exists():
            runner.execute(ROOT / "notebooks" / "lab" / f"{name}.ipynb", OUT)
    return OUT


@pytest.fixture
def models(tmp_path):
    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copy(SHIPPED, folder)
    shutil.copy(SHIPPED.with_suffix(".json"), folder)
    return folder


def ticks(report):
    return re.findall(r"^- \[([ x])\] \*\*(.+?)\*\*", report, re.M)


def test_executed_labs_show_their_plots(executed_labs):
    for name in ("01-train-mini", "03-mp-drift"):
        nb = nbformat.read(executed_labs / "lab" / f"{name}.ipynb", as_version=4)
        assert len(list(outputs(nb, mime="image/png"))) >= 1, f"lab {name} has no image/png output"


def test_a_finished_phase_ticks_every_item(models, executed_labs, tmp_path):
    folder = tmp_path / "mlruns"
    r = server("start", folder)
    assert r.returncode == 0, r.stderr
    uri = r.stdout.strip()
    try:
        synced = minitrain("track", models / SHIPPED.name, "--tracking-uri", uri)
        assert synced.returncode == 0, synced.stderr
        out = tmp_path / "PHASE_18_REPORT.md"
        r = minitrain("report", "--models", models, "--notebooks", executed_labs, "--out", out)
    finally:
        server("stop", folder)
    report = out.read_text()
    items = ticks(report)
    assert len(items) == 6, report
    assert all(t == "x" for t, _ in items), report
    assert r.returncode == 0, r.stderr
    run_id = json.loads((models / SHIPPED.with_suffix(".json").name).read_text())["mlflow"]["run_id"]
    assert f"{uri}/#/experiments/" in report and run_id in report
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", report):
        assert (out.parent / image).resolve().is_file(), f"the report embeds a missing image {image}"


def test_an_unfinished_phase_is_not_ticked(models, tmp_path):
    # Never synced, no executed notebooks: two items must stay open, and the exit status says so.
    out = tmp_path / "PHASE_18_REPORT.md"
    r = minitrain("report", "--models", models, "--notebooks", tmp_path / "none", "--out", out)
    assert r.returncode == 1
    assert len(r.stderr.strip().splitlines()) == 1 and "4 of 6" in r.stderr, r.stderr
    open_items = [claim for t, claim in ticks(out.read_text()) if t == " "]
    assert open_items == ["The run is logged to MLflow", "The executed labs 01 and 03 show their plots inline"]


def test_the_committed_phase_run_is_complete():
    """What `make phase` wrote and the kit ships: a report with every item ticked, naming the model that is in
    models/, and the executed labs 01 and 03 with their plots."""
    report = (ROOT / "PHASE_18_REPORT.md").read_text()
    items = ticks(report)
    assert len(items) == 6 and all(t == "x" for t, _ in items), report[:3000]
    models = sorted((ROOT / "models").glob("minigpt-phase18-*.safetensors"))
    assert len(models) == 1 and f"models/{models[0].name}" in report
    assert "/#/experiments/" in report, "the report names no MLflow run URL"
    for name in ("01-train-mini", "03-mp-drift"):
        # make phase runs a lab as its worked solution when the lab is generated from it (bin/notebooks phase)
        executed = ROOT / "experiments" / "notebooks" / "solutions" / f"{name}.ipynb"
        if not executed.exists():
            executed = ROOT / "experiments" / "notebooks" / "lab" / f"{name}.ipynb"
        nb = nbformat.read(executed, as_version=4)
        if name == "01-train-mini" and executed.parent.name == "solutions":
            from lab01_claims import check_notebook
            check_notebook(executed)  # the full-budget "what breaks" numbers agree with the prose too
        assert len(list(outputs(nb, mime="image/png"))) >= 1, f"the executed lab {name} shows no plot"

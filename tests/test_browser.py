"""A learner's session in a real browser: JupyterLab from the kit's venv, driven in headless Chromium.

Starts JupyterLab on 127.0.0.1 with a random port and token, opens each notebook, runs all cells through
the UI, and checks what the page shows: no error output, at least one inline image with a size, the Java
kernel named in the status bar. Screenshots go to experiments/browser/ for a person to look at.
"""
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT

BROWSER = ROOT / "tests" / "browser"
SHOTS = ROOT / "experiments" / "browser"
NOTEBOOKS = ["theory/00-motivation.ipynb", "lab/00-batch-and-mask.ipynb"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    port, token = free_port(), secrets.token_hex(16)
    runtime = tmp_path_factory.mktemp("jupyter-runtime")
    log = open(runtime / "lab.log", "w")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(runtime), KIT_SMOKE="1")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", "--ip", "127.0.0.1",
         f"--port={port}", f"--IdentityProvider.token={token}", f"--notebook-dir={ROOT / 'notebooks'}",
         f"--LabApp.workspaces_dir={runtime / 'workspaces'}", f"--LabApp.user_settings_dir={runtime / 'settings'}",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start; log:\n{(runtime / 'lab.log').read_text()[-3000:]}")
                time.sleep(0.5)
        yield base, token
    finally:
        # The whole process group: JupyterLab and the kernels it started.
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        log.close()


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_runs_in_the_browser(jupyterlab, notebook):
    base, token = jupyterlab
    assert (ROOT / "notebooks" / notebook).exists(), f"{notebook} is missing"
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / (notebook.replace("/", "-").removesuffix(".ipynb") + ".png")
    source = (ROOT / "notebooks" / notebook).read_bytes()
    r = subprocess.run(["node", str(BROWSER / "run-notebook.mjs"), base, token, notebook, str(shot), "900"],
                       cwd=BROWSER, capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stderr[-2000:]
    report = json.loads(r.stdout.strip().splitlines()[-1])
    assert report["errors"] == [], report["errors"]
    assert report["dialogs"] == [], report["dialogs"]
    assert report["cells"] > 0 and report["executed"] == report["cells"], report
    assert report["images"] >= 1, "no inline image rendered"
    assert "Java" in report["kernel"], f"status bar: {report['kernel']!r}"
    assert shot.exists() and shot.stat().st_size > 10_000
    assert (ROOT / "notebooks" / notebook).read_bytes() == source, "the browser session rewrote the notebook"


def test_the_live_loss_chart_changes_while_lab_01_trains(jupyterlab):
    """Lab 01's training cell redraws one chart in place (JJava's updateDisplay): two screenshots of that
    chart taken while the cell runs differ, and the finished notebook still shows it."""
    base, token = jupyterlab
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / "lab-01-train-mini.png"
    for old in SHOTS.glob("lab-01-train-mini-live-*.png"):
        old.unlink()
    r = subprocess.run(["node", str(BROWSER / "run-notebook.mjs"), base, token, "lab/01-train-mini.ipynb", str(shot),
                        "900"], cwd=BROWSER, capture_output=True, text=True, timeout=1200,
                       env=dict(os.environ, WATCH_TEXT="new LiveLossChart"))
    assert r.returncode == 0, r.stderr[-2000:]
    report = json.loads(r.stdout.strip().splitlines()[-1])
    assert report["errors"] == [], report["errors"]
    assert len(report["live"]) == 2, f"the live chart was seen {len(report['live'])} time(s): {report}"
    first, second = (Path(p).read_bytes() for p in report["live"])
    assert first != second, "the two screenshots of the live chart are the same picture"
    assert report["executed"] == report["cells"] and report["images"] >= 1, report


"""MLflow wraps the manifest: a real `mlflow server` on loopback, a sync from Java, checks from Python.

Starts the server with bin/mlflow-server in a temporary folder, trains a tiny model, syncs it with
`minitrain track`, and reads everything back with mlflow's own client: params, the full metric history,
tags, artifacts. Syncs again (nothing duplicated), then stops the server and checks that the sync fails
with one line and leaves the files as they were.
"""
import csv
import json
import subprocess

import pytest
from mlflow import MlflowClient

from conftest import ROOT, minitrain

TINY = {"n_layer": 1, "n_head": 2, "n_embd": 16, "batch_size": 8, "max_steps": 12, "warmup_steps": 2,
        "eval_every": 4, "ckpt_every": 6, "seed": 11}


def server(*args):
    return subprocess.run([str(ROOT / "bin" / "mlflow-server"), *map(str, args)], capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def tracking(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mlruns")
    r = server("start", folder)
    if r.returncode != 0:
        pytest.fail("mlflow server did not start: " + r.stderr + (folder / "server.log").read_text()[-2000:], pytrace=False)
    yield r.stdout.strip(), folder
    server("stop", folder)


def test_sync_wraps_the_manifest(tracking, tmp_path):
    uri, folder = tracking
    cfg = tmp_path / "tiny.json"
    cfg.write_text(json.dumps(TINY))
    r = minitrain("train", "--config", cfg, "--run-dir", tmp_path / "run", "--models", tmp_path / "models", timeout=900)
    assert r.returncode == 0, r.stderr + r.stdout
    model = next((tmp_path / "models").glob("*.safetensors"))
    manifest_file = model.with_suffix(".json")
    env = {"MLFLOW_TRACKING_URI": uri}

    r = minitrain("track", model, env=env)
    assert r.returncode == 0, r.stderr
    manifest = json.loads(manifest_file.read_text())
    run_id = manifest["mlflow"]["run_id"]
    assert manifest["mlflow"]["run_url"] == f"{uri}/#/experiments/{manifest['mlflow']['experiment_id']}/runs/{run_id}"

    client = MlflowClient(tracking_uri=uri)
    run = client.get_run(run_id)
    assert run.info.status == "FINISHED"
    assert run.data.params["n_embd"] == "16" and run.data.params["max_steps"] == "12"
    assert run.data.tags["model_sha256"] == manifest["sha256"]
    assert run.data.tags["corpus_sha256"] == manifest["corpus_sha256"]
    assert run.data.tags["git_commit"] == manifest["git_commit"]
    rows = list(csv.DictReader(open(tmp_path / "run" / "metrics.csv")))
    for key in ["train_loss", "lr", "grad_norm", "tokens_per_s", "dev_loss"]:
        want = {int(r["step"]): float(r[key]) for r in rows if r[key] != ""}
        got = {m.step: m.value for m in client.get_metric_history(run_id, key)}
        assert got == want, key
    artifacts = {a.path for a in client.list_artifacts(run_id, "model")} | {a.path for a in client.list_artifacts(run_id, "run")}
    assert f"model/{model.name}" in artifacts and f"model/{manifest_file.name}" in artifacts
    assert "run/metrics.csv" in artifacts

    r = minitrain("track", model, env=env)          # again: the same run, nothing duplicated
    assert r.returncode == 0, r.stderr
    assert json.loads(manifest_file.read_text())["mlflow"]["run_id"] == run_id
    assert len(client.get_metric_history(run_id, "train_loss")) == len(rows)
    exp = client.get_experiment(manifest["mlflow"]["experiment_id"])
    assert len(client.search_runs([exp.experiment_id])) == 1

    # The same bytes trained again (deterministic: same seed, same config) in a second run folder with other
    # timings: a second MLflow run with that folder's history; the first run keeps its own.
    import shutil
    again = tmp_path / "run-again"
    shutil.copytree(tmp_path / "run", again)
    lines = (again / "metrics.csv").read_text().splitlines()
    slower = [lines[0]] + [line[:line.rindex(",")] + ",1.0" for line in lines[1:]]   # tokens_per_s is the last column
    (again / "metrics.csv").write_text("\n".join(slower) + "\n")
    first = {m.step: m.value for m in client.get_metric_history(run_id, "tokens_per_s")}
    manifest_file.write_text(json.dumps(dict(manifest, run_dir=str(again)), indent=2))
    r = minitrain("track", model, env=env)
    assert r.returncode == 0, r.stderr
    second = json.loads(manifest_file.read_text())["mlflow"]["run_id"]
    assert second != run_id and len(client.search_runs([exp.experiment_id])) == 2
    assert {m.value for m in client.get_metric_history(second, "tokens_per_s")} == {1.0}
    assert {m.step: m.value for m in client.get_metric_history(run_id, "tokens_per_s")} == first
    r = minitrain("track", model, env=env)          # and that one is found again too
    assert r.returncode == 0 and json.loads(manifest_file.read_text())["mlflow"]["run_id"] == second, r.stderr

    server("stop", folder)                           # a dead server: one line, files untouched
    before = manifest_file.read_bytes()
    r = minitrain("track", model, env=env)
    assert r.returncode != 0
    lines = [l for l in r.stderr.splitlines() if l.strip() and not l.startswith("minitrain: building")]
    assert len(lines) == 1 and "cannot reach MLflow" in lines[0], r.stderr
    assert manifest_file.read_bytes() == before


def fake_published_model(folder, steps=3000):
    """A run folder (metrics.csv, run.json, a plot) and a published model + manifest; the model's bytes are
    arbitrary because the sync only hashes and uploads them."""
    import hashlib
    import random
    rng = random.Random(7)
    run = folder / "run"
    run.mkdir()
    rows = ["step,lr,train_loss,dev_loss,grad_norm,tokens_per_s"]
    for s in range(1, steps + 1):
        dev = repr(rng.random()) if s % 250 == 0 else ""
        rows.append(f"{s},{rng.random() * 3e-3!r},{rng.random() * 3!r},{dev},{rng.random()!r},{rng.random() * 1e4!r}")
    (run / "metrics.csv").write_text("\n".join(rows) + "\n")
    (run / "run.json").write_text(json.dumps({"max_steps": steps, "seed": 7}))
    (run / "loss.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    blob = bytes(rng.randrange(256) for _ in range(4096))
    sha = hashlib.sha256(blob).hexdigest()
    models = folder / "models"
    models.mkdir()
    model = models / f"minigpt-phase18-{sha[:12]}.safetensors"
    model.write_bytes(blob)
    manifest = {"file": model.name, "sha256": sha, "config": {"n_layer": 1}, "train_config": {"n_layer": 1, "lr": 0.003},
                "corpus_sha256": "c" * 64, "git_commit": "0" * 40, "kit_version": "test", "seed": 7, "steps": steps,
                "metrics": {"val_ppl": 1.5, "baseline_val_ppl": 2.0}, "run_dir": str(run)}
    model.with_suffix(".json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return model, rows


def test_interrupted_sync_completes_on_rerun_without_duplicates(tmp_path):
    import os
    import signal
    import sqlite3
    import threading
    folder = tmp_path / "mlruns"
    r = server("start", folder)
    if r.returncode != 0:
        pytest.fail("mlflow server did not start: " + r.stderr + (folder / "server.log").read_text()[-2000:], pytrace=False)
    try:
        model, rows = fake_published_model(tmp_path)
        manifest_file = model.with_suffix(".json")
        client = MlflowClient(tracking_uri=r.stdout.strip())
        env = {"MLFLOW_TRACKING_URI": r.stdout.strip()}

        gone = client.create_experiment("gone")     # a deleted experiment keeps its name: one clear line
        client.delete_experiment(gone)
        bad = minitrain("track", model, "--experiment", "gone", env=env)
        assert bad.returncode == 1 and "is deleted" in bad.stderr.strip().splitlines()[-1], bad.stderr
        bad = minitrain("track", model, env={"MLFLOW_TRACKING_URI": "sqlite:///mlflow.db"})
        assert bad.returncode == 1 and "needs http" in bad.stderr, bad.stderr

        # Kill the server (whole process group, like a crash) once part of the history is in its database.
        pid = int((folder / "server.pid").read_text())
        killed = []

        def kill_midway():
            for _ in range(3000):
                try:
                    n = sqlite3.connect(folder / "mlflow.db").execute("select count(*) from metrics").fetchone()[0]
                except sqlite3.Error:
                    n = 0
                if n >= 3000:
                    os.killpg(pid, signal.SIGKILL)
                    killed.append(n)
                    return
                threading.Event().wait(0.02)
        killer = threading.Thread(target=kill_midway)
        killer.start()
        before = manifest_file.read_bytes()
        first = minitrain("track", manifest_file, env=env)   # the .json manifest names the model too
        killer.join()
        assert killed, "the sync ended before the server could be killed midway: " + first.stdout
        assert first.returncode == 1 and "cannot reach MLflow" in first.stderr, first.stderr
        assert manifest_file.read_bytes() == before

        # restart on the same database (server.pid is stale: the script notices the dead pid)
        r = server("start", folder)
        assert r.returncode == 0, r.stderr
        uri = r.stdout.strip()
        again = minitrain("track", model, env={"MLFLOW_TRACKING_URI": uri})
        assert again.returncode == 0, again.stderr
        print(again.stdout.strip())

        client = MlflowClient(tracking_uri=uri)
        exp = client.get_experiment_by_name("phase18-minigpt")
        runs = client.search_runs([exp.experiment_id])
        assert len(runs) == 1 and runs[0].info.status == "FINISHED"      # the interrupted run was completed
        run_id = runs[0].info.run_id
        table = list(csv.DictReader(rows))
        for key in ["train_loss", "lr", "grad_norm", "tokens_per_s", "dev_loss"]:
            want = sorted((int(x["step"]), float(x[key])) for x in table if x[key] != "")
            assert sorted((m.step, m.value) for m in client.get_metric_history(run_id, key)) == want, key
        assert {a.path for a in client.list_artifacts(run_id, "run")} >= {"run/metrics.csv", "run/run.json", "run/loss.svg"}
        assert json.loads(manifest_file.read_text())["mlflow"]["run_id"] == run_id
    finally:
        server("stop", folder)


def test_the_run_page_plots_every_metric(tmp_path):
    """The run URL the manifest records opens in the real MLflow UI, with one drawn chart per metric."""
    shipped = sorted((ROOT / "models").glob("minigpt-phase18-*.safetensors"))[0]
    models = tmp_path / "models"
    models.mkdir()
    for f in (shipped, shipped.with_suffix(".json")):          # a copy: the shipped manifest stays as it is
        (models / f.name).write_bytes(f.read_bytes())
    folder = tmp_path / "mlruns"
    r = server("start", folder)
    assert r.returncode == 0, r.stderr
    try:
        synced = minitrain("track", models / shipped.name, env={"MLFLOW_TRACKING_URI": r.stdout.strip()})
        assert synced.returncode == 0, synced.stderr
        url = json.loads((models / shipped.with_suffix(".json").name).read_text())["mlflow"]["run_url"]
        shot = ROOT / "experiments" / "browser" / "mlflow-run.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page = subprocess.run(["node", str(ROOT / "tests" / "browser" / "mlflow-run.mjs"), url, str(shot)],
                              capture_output=True, text=True, timeout=300, cwd=ROOT / "tests" / "browser")
    finally:
        server("stop", folder)
    report = json.loads(page.stdout.strip().splitlines()[-1])
    assert report["errors"] == [], report
    assert sorted(report["charts"]) == ["dev_loss", "grad_norm", "lr", "tokens_per_s", "train_loss"], report


def test_a_restarted_server_comes_back_on_its_port(tmp_path):
    # Run URLs recorded in manifests and in the report name the port: after a stop and a start (make phase,
    # then make mlflow) they must open again.
    folder = tmp_path / "mlruns"
    first = server("start", folder)
    assert first.returncode == 0, first.stderr
    server("stop", folder)
    again = server("start", folder)
    try:
        assert again.returncode == 0, again.stderr
        assert again.stdout.strip() == first.stdout.strip()
    finally:
        server("stop", folder)

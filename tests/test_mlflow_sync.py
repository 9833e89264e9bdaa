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

    server("stop", folder)                           # a dead server: one line, files untouched
    before = manifest_file.read_bytes()
    r = minitrain("track", model, env=env)
    assert r.returncode != 0
    lines = [l for l in r.stderr.splitlines() if l.strip() and not l.startswith("minitrain: building")]
    assert len(lines) == 1 and "cannot reach MLflow" in lines[0], r.stderr
    assert manifest_file.read_bytes() == before

"""A class's MLflow server: the kit's Java client against a real `mlflow server --app-name basic-auth` on loopback.

One server for the module, started by `bin/mlflow-server start --auth` in a temporary folder (its user store, the
admin's password and the UI's secret are made there) and stopped at the end. As a teacher would, the test creates
learner accounts through the server's REST API, creates the class's experiment and gives each learner EDIT on it.
Each learner has a copy of the phase run's committed model and manifest (the run folder it names is the
committed one) and syncs it with `minitrain track`, the variables MLflow's own clients read in the environment.
"""
import base64
import json
import os
import secrets
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from types import SimpleNamespace

import pytest
from mlflow import MlflowClient

from conftest import ROOT, minitrain

EXPERIMENT = "phase18-minigpt"          # the kit's default experiment: the class's shared one
LOGIN_VARS = ["MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN",
              "MLFLOW_TRACKING_INSECURE_TLS", "MLFLOW_TRACKING_SERVER_CERT_PATH"]
SHIPPED = sorted((ROOT / "models").glob("minigpt-phase18-*.safetensors"))[0]


def server(*args):
    # The server's own settings come from the folder bin/mlflow-server prepares, not from this shell.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_AUTH_", "MLFLOW_FLASK_"))}
    return subprocess.run([str(ROOT / "bin" / "mlflow-server"), *map(str, args)], capture_output=True, text=True,
                          timeout=300, env=env)


def rest(uri, method, path, body=None, login=None):
    """(HTTP status, parsed JSON or text) of one call to the server's REST API, with basic auth when given."""
    req = urllib.request.Request(uri + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    if login:
        req.add_header("Authorization", "Basic " + base64.b64encode(":".join(login).encode()).decode())
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            status, text = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class-mlruns")
    t0 = time.monotonic()
    r = server("start", "--auth", folder)
    start_s = time.monotonic() - t0
    if r.returncode != 0:
        pytest.fail("mlflow server --app-name basic-auth did not start: " + r.stderr
                    + (folder / "server.log").read_text()[-2000:], pytrace=False)
    print(f"\nauth server: up in {start_s:.1f} s")
    uri = r.stdout.strip()
    try:
        admin = ("admin", (folder / "admin.password").read_text().strip())
        learners = {name: (name, f"{name}-{secrets.token_hex(8)}") for name in ["alice", "bob"]}
        for name, (user, password) in learners.items():
            status, answer = rest(uri, "POST", "/api/2.0/mlflow/users/create", {"username": user, "password": password},
                                  admin)
            assert status == 200 and answer["user"]["username"] == user, answer
        status, answer = rest(uri, "POST", "/api/2.0/mlflow/experiments/create", {"name": EXPERIMENT}, admin)
        assert status == 200, answer
        class_exp = answer["experiment_id"]
        for user, _ in learners.values():
            status, answer = rest(uri, "POST", "/api/3.0/mlflow/users/permissions/grant", {"username": user,
                                  "resource_type": "experiment", "resource_id": class_exp, "permission": "EDIT"}, admin)
            assert status == 200, answer
        yield SimpleNamespace(uri=uri, folder=folder, admin=admin, learners=learners, experiment_id=class_exp,
                              start_s=start_s)
    finally:
        server("stop", folder)


def learner_copy(tmp_path, name):
    """The learner's own models/ folder: a copy of the committed model and manifest (whose run_dir is the
    committed run folder), so that the sync writing its mlflow block leaves the shipped manifest alone."""
    models = tmp_path / name / "models"
    models.mkdir(parents=True, exist_ok=True)
    for f in (SHIPPED, SHIPPED.with_suffix(".json")):
        if not (models / f.name).exists():
            shutil.copyfile(f, models / f.name)
    return models / SHIPPED.name


def track(model, login, *args, **env):
    """`minitrain track` with exactly this login in the environment (None: the variable is unset)."""
    full = dict.fromkeys(LOGIN_VARS)
    if login:
        full.update(MLFLOW_TRACKING_USERNAME=login[0], MLFLOW_TRACKING_PASSWORD=login[1])
    full.update(env)
    t0 = time.monotonic()
    r = minitrain("track", model, *args, env=full)
    r.seconds = time.monotonic() - t0
    return r


def as_user(monkeypatch, login):
    """MLflow's own Python client, logged in as this user through the same variables."""
    for var in LOGIN_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", login[0])
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", login[1])


def one_line(r):
    lines = [line for line in r.stderr.splitlines() if line.strip() and not line.startswith("minitrain: building")]
    assert len(lines) == 1, r.stderr
    assert "Exception" not in lines[0] and "\tat " not in r.stderr, r.stderr
    return lines[0]


def no_secrets(classroom, *texts):
    secrets_ = [p for _, p in classroom.learners.values()] + [classroom.admin[1]]
    for text in texts:
        for s in secrets_:
            assert s not in text, "a password was written out"


def metric_rows():
    manifest = json.loads(SHIPPED.with_suffix(".json").read_text())
    lines = (ROOT / manifest["run_dir"] / "metrics.csv").read_text().splitlines()
    return manifest, [line for line in lines[1:] if line.strip()]


def test_a_learner_syncs_the_phase_run_with_her_password(classroom, tmp_path, monkeypatch):
    alice = classroom.learners["alice"]
    model = learner_copy(tmp_path, "alice")
    r = track(model, alice, MLFLOW_TRACKING_URI=classroom.uri)
    assert r.returncode == 0, r.stderr
    print(f"alice's first sync: {r.seconds:.1f} s: {r.stdout.strip()}")
    written = model.with_suffix(".json").read_text()
    block = json.loads(written)["mlflow"]
    assert block["tracking_uri"] == classroom.uri and block["experiment_id"] == classroom.experiment_id

    # The server really asks for a login: MLflow's own client without one is refused.
    for var in LOGIN_VARS:
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(Exception, match="401|not authenticated"):
        MlflowClient(tracking_uri=classroom.uri).get_run(block["run_id"])

    as_user(monkeypatch, alice)
    client = MlflowClient(tracking_uri=classroom.uri)
    run = client.get_run(block["run_id"])
    manifest, rows = metric_rows()
    assert run.info.status == "FINISHED"
    assert run.data.tags["mlflow.user"] == "alice" and run.info.user_id == "alice"
    assert run.data.tags["model_sha256"] == manifest["sha256"]
    assert len(client.get_metric_history(run.info.run_id, "train_loss")) == len(rows)
    assert f"model/{SHIPPED.name}" in {a.path for a in client.list_artifacts(run.info.run_id, "model")}
    no_secrets(classroom, r.stdout, r.stderr, written, json.dumps(run.data.tags), json.dumps(run.data.params),
               (classroom.folder / "server.log").read_text())


def test_a_wrong_or_missing_password_loses_nothing(classroom, tmp_path, monkeypatch):
    """Bob's earlier sync stopped midway (made here with MLflow's own client as bob: a run keyed like the kit's,
    with the first half of the train_loss history). A wrong password, then none, each say in one line which
    variable to set and change nothing; the right one completes that same run without duplicating a point."""
    bob = classroom.learners["bob"]
    model = learner_copy(tmp_path, "bob")
    manifest, rows = metric_rows()
    as_user(monkeypatch, bob)
    client = MlflowClient(tracking_uri=classroom.uri)
    keyed = {"minitrain.model_sha256": manifest["sha256"], "minitrain.run_dir": manifest["run_dir"],
             "mlflow.user": "bob"}
    run = client.create_run(classroom.experiment_id, run_name=f"minigpt-phase18-{manifest['sha256'][:12]}-bob",
                            tags=keyed)
    half = rows[:len(rows) // 2]
    from mlflow.entities import Metric
    points = [Metric("train_loss", float(line.split(",")[2]), 0, int(line.split(",")[0])) for line in half]
    for i in range(0, len(points), 1000):
        client.log_batch(run.info.run_id, metrics=points[i:i + 1000])
    header = (ROOT / manifest["run_dir"] / "metrics.csv").read_text().splitlines()[0].split(",")
    assert header[2] == "train_loss", header

    before = model.with_suffix(".json").read_bytes()
    wrong = track(model, ("bob", bob[1] + "-typo"), MLFLOW_TRACKING_URI=classroom.uri)
    assert wrong.returncode == 1
    line = one_line(wrong)
    assert "refused the password of user 'bob' (HTTP 401): check MLFLOW_TRACKING_PASSWORD" in line, line
    missing = track(model, None, MLFLOW_TRACKING_URI=classroom.uri, MLFLOW_TRACKING_USERNAME="bob")
    assert missing.returncode == 1
    line = one_line(missing)
    assert "MLFLOW_TRACKING_PASSWORD is not set: set it to the password of user 'bob'" in line, line
    nobody = track(model, None, MLFLOW_TRACKING_URI=classroom.uri)
    assert "set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD" in one_line(nobody)
    print(f"a refused sync answers in {wrong.seconds:.1f} s (wrong), {missing.seconds:.1f} s (missing)")
    assert model.with_suffix(".json").read_bytes() == before
    assert len(client.get_metric_history(run.info.run_id, "train_loss")) == len(half)
    assert client.get_run(run.info.run_id).info.status == "RUNNING"

    right = track(model, bob, MLFLOW_TRACKING_URI=classroom.uri)
    assert right.returncode == 0, right.stderr
    print(f"bob's completing sync: {right.seconds:.1f} s: {right.stdout.strip()}")
    assert json.loads(model.with_suffix(".json").read_text())["mlflow"]["run_id"] == run.info.run_id
    done = client.get_run(run.info.run_id)
    assert done.info.status == "FINISHED"
    history = client.get_metric_history(run.info.run_id, "train_loss")
    assert sorted(m.step for m in history) == [int(line.split(",")[0]) for line in rows]    # each step once
    no_secrets(classroom, wrong.stderr, missing.stderr, right.stdout, right.stderr,
               model.with_suffix(".json").read_text())


def test_another_learners_experiment_is_a_one_line_403(classroom, tmp_path):
    alice, bob = classroom.learners["alice"], classroom.learners["bob"]
    status, answer = rest(classroom.uri, "POST", "/api/2.0/mlflow/experiments/create", {"name": "alice-notes"}, alice)
    assert status == 200, answer                      # alice's own experiment: she manages it, others only read it
    model = learner_copy(tmp_path, "bob-elsewhere")
    before = model.with_suffix(".json").read_bytes()
    r = track(model, bob, "--experiment", "alice-notes", MLFLOW_TRACKING_URI=classroom.uri)
    assert r.returncode == 1
    line = one_line(r)
    assert ("does not let user 'bob' create runs in experiment 'alice-notes' (id " + answer["experiment_id"]
            + ") (HTTP 403 Permission denied)") in line, line
    assert "EDIT" in line and "--experiment" in line, line
    assert model.with_suffix(".json").read_bytes() == before
    no_secrets(classroom, r.stderr, r.stdout)


def test_the_class_runs_side_by_side(classroom, tmp_path):
    """Every run carries its learner's name and the model's hash; the teacher (admin) sees them all, and the
    compare page of MLflow's UI shows the two learners' runs side by side (screenshot)."""
    for name in ["alice", "bob"]:                     # rerunnable: finds the learner's run again, sends nothing twice
        r = track(learner_copy(tmp_path, name), classroom.learners[name], MLFLOW_TRACKING_URI=classroom.uri)
        assert r.returncode == 0, r.stderr
    status, answer = rest(classroom.uri, "POST", "/api/2.0/mlflow/runs/search",
                          {"experiment_ids": [classroom.experiment_id], "max_results": 100}, classroom.admin)
    assert status == 200, answer
    runs = {t["value"]: r for r in answer["runs"] for t in r["data"]["tags"] if t["key"] == "mlflow.user"}
    assert sorted(runs) == ["alice", "bob"] and len(answer["runs"]) == 2, answer
    sha = json.loads(SHIPPED.with_suffix(".json").read_text())["sha256"]
    for run in runs.values():
        tags = {t["key"]: t["value"] for t in run["data"]["tags"]}
        assert tags["model_sha256"] == sha and tags["minitrain.model_sha256"] == sha
        assert run["info"]["status"] == "FINISHED"

    # The teacher's view in a real browser: MLflow's compare page for the two learners' runs, logged in as admin.
    ids = [runs[name]["info"]["run_id"] for name in ["alice", "bob"]]
    names = [runs[name]["info"]["run_name"] for name in ["alice", "bob"]]
    assert names == [f"minigpt-phase18-{sha[:12]}-alice", f"minigpt-phase18-{sha[:12]}-bob"], names
    url = (f"{classroom.uri}/#/compare-runs?runs={urllib.parse.quote(json.dumps(ids))}"
           f"&experiments={urllib.parse.quote(json.dumps([classroom.experiment_id]))}")
    shot = ROOT / "experiments" / "browser" / "mlflow-compare-class.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, MLFLOW_TRACKING_USERNAME=classroom.admin[0], MLFLOW_TRACKING_PASSWORD=classroom.admin[1])
    t0 = time.monotonic()
    page = subprocess.run(["node", str(ROOT / "tests" / "browser" / "mlflow-compare.mjs"), url, str(shot), *names],
                          capture_output=True, text=True, timeout=300, cwd=ROOT / "tests" / "browser", env=env)
    print(f"compare page in the browser: {time.monotonic() - t0:.1f} s, {shot}")
    report = json.loads(page.stdout.strip().splitlines()[-1])
    assert report["errors"] == [] and report["shown"] == names, (report, page.stderr[-2000:])
    no_secrets(classroom, page.stdout, page.stderr)

"""A class on JupyterHub: the hub of `make hub` (hub/jupyterhub_config.py) with two learners, against a real MLflow
server with logins, both started and stopped here, on loopback.

Each learner logs in to the hub with their MLflow account, starts their JupyterLab through the hub's REST API and
runs lab 00, a smoke lab 01 and lab 04 on the Java kernel through their server's REST API and kernel websocket,
as the browser would. Both runs must land on the shared MLflow server under their names, and each learner works
in their own copy of the kit.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
import websocket
from test_mlflow_auth import EXPERIMENT, rest, server

from conftest import ROOT

VENV_BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid):
    """Resident memory of a process and its children (the learner's JupyterLab and its kernels), in MB."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            total += int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{p}/status").read_text()).group(1))
            todo += [int(c) for t in Path(f"/proc/{p}/task").iterdir()
                     for c in (t / "children").read_text().split()]
        except (OSError, AttributeError):
            pass
    return total / 1024


@pytest.fixture(scope="module")
def classroom_hub(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hub-mlruns")
    r = server("start", "--auth", folder)
    if r.returncode != 0:
        pytest.fail("mlflow server did not start: " + r.stderr + (folder / "server.log").read_text()[-2000:],
                    pytrace=False)
    uri = r.stdout.strip()
    hub_dir = tmp_path_factory.mktemp("hub-state")
    hub = None
    try:
        admin = ("admin", (folder / "admin.password").read_text().strip())
        learners = {name: f"{name}-hub-password" for name in ["alice", "bob"]}
        for name, password in learners.items():
            assert rest(uri, "POST", "/api/2.0/mlflow/users/create", {"username": name, "password": password},
                        admin)[0] == 200
        status, answer = rest(uri, "POST", "/api/2.0/mlflow/experiments/create", {"name": EXPERIMENT}, admin)
        assert status == 200, answer
        for name in learners:
            assert rest(uri, "POST", "/api/3.0/mlflow/users/permissions/grant", {"username": name,
                        "resource_type": "experiment", "resource_id": answer["experiment_id"], "permission": "EDIT"},
                        admin)[0] == 200
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
        env.update(MLFLOW_TRACKING_URI=uri, KIT_HUB_DIR=str(hub_dir), KIT_HUB_PORT=str(port), KIT_SMOKE="1")
        log = open(hub_dir / "hub.log", "w")
        t0 = time.monotonic()
        hub = subprocess.Popen([str(VENV_BIN / "jupyterhub"), "-f", str(ROOT / "hub" / "jupyterhub_config.py")],
                               cwd=hub_dir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if requests.get(base + "/hub/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert hub.poll() is None, (hub_dir / "hub.log").read_text()[-3000:]
            time.sleep(0.5)
        else:
            pytest.fail("the hub did not answer in 300 s: " + (hub_dir / "hub.log").read_text()[-3000:], pytrace=False)
        print(f"\nhub: up in {time.monotonic() - t0:.1f} s")
        yield dict(uri=uri, admin=admin, learners=learners, base=base, dir=hub_dir, experiment=answer["experiment_id"])
    finally:
        if hub is not None:
            os.killpg(hub.pid, signal.SIGTERM)        # the hub stops the learners' servers and its proxy
            try:
                hub.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(hub.pid, signal.SIGKILL)
        server("stop", folder)


def log_in(hub, name, password):
    """A browser's login form, then a token for the REST API: returns (session, token)."""
    s = requests.Session()
    s.get(hub["base"] + "/hub/login", timeout=30)
    r = s.post(hub["base"] + "/hub/login", timeout=60, data={"username": name, "password": password,
                                                              "_xsrf": s.cookies.get("_xsrf")})
    r.raise_for_status()
    r = s.post(f"{hub['base']}/hub/api/users/{name}/tokens", json={"note": "test"}, timeout=30,
               headers={"X-XSRFToken": s.cookies.get("_xsrf")})
    assert r.status_code in (200, 201), r.text
    return s, r.json()["token"]


def start_server(hub, name, token):
    auth = {"Authorization": f"token {token}"}
    t0 = time.monotonic()
    r = requests.post(f"{hub['base']}/hub/api/users/{name}/server", headers=auth, timeout=60)
    assert r.status_code in (201, 202), r.text
    for _ in range(720):
        user = requests.get(f"{hub['base']}/hub/api/users/{name}", headers=auth, timeout=30).json()
        if user.get("servers", {}).get("", {}).get("ready"):
            return time.monotonic() - t0
        if not user.get("servers"):                   # neither ready nor pending: the spawn failed
            break
        time.sleep(0.5)
    pytest.fail(f"{name}'s server did not start: " + (hub["dir"] / "hub.log").read_text()[-3000:], pytrace=False)


def server_pid(name):
    """The learner's JupyterLab process (its environment names the hub user)."""
    for p in Path("/proc").iterdir():
        if p.name.isdigit() and f"JUPYTERHUB_USER={name}".encode() in _environ(p) \
                and b"jupyterhub-singleuser" in _cmdline(p.name):
            return int(p.name)
    raise AssertionError(f"no JupyterLab process for {name}")


def run_notebook(hub, name, token, path, timeout=900):
    """Every code cell of a notebook in the learner's server, on a kernel started for that notebook (its folder
    is the kernel's working folder, as in JupyterLab). Returns (seconds, MB of the learner's server and kernel at
    the end); fails with the first error."""
    api = f"{hub['base']}/user/{name}/api"
    auth = {"Authorization": f"token {token}"}
    nb = requests.get(f"{api}/contents/{path}", headers=auth, timeout=60).json()["content"]
    sess = requests.post(f"{api}/sessions", headers=auth, timeout=120,
                         json={"path": path, "type": "notebook", "name": path, "kernel": {"name": "java"}}).json()
    kernel = sess["kernel"]["id"]
    ws = websocket.create_connection(f"ws://127.0.0.1:{hub['base'].rsplit(':', 1)[1]}/user/{name}/api/kernels/"
                                     f"{kernel}/channels", header=[f"Authorization: token {token}"], timeout=timeout)
    t0 = time.monotonic()
    try:
        for index, cell in enumerate(nb["cells"]):
            if cell["cell_type"] != "code":
                continue
            msg_id = uuid.uuid4().hex
            ws.send(json.dumps({"header": {"msg_id": msg_id, "username": name, "session": uuid.uuid4().hex,
                                           "msg_type": "execute_request", "version": "5.3"},
                                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                                "content": {"code": "".join(cell["source"]), "silent": False, "store_history": True,
                                            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
            error = None
            while True:
                msg = json.loads(ws.recv())
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "error":
                    error = f"{msg['content']['ename']}: {msg['content']['evalue']}"
                if msg["msg_type"] == "execute_reply":
                    break
            assert error is None and msg["content"]["status"] == "ok", f"{name}: {path} cell {index}: {error}"
        seconds, memory = time.monotonic() - t0, rss_mb(server_pid(name))
    finally:
        ws.close()
        requests.delete(f"{api}/sessions/{sess['id']}", headers=auth, timeout=60)
    return seconds, memory


def kit_files():
    """What the labs write in a kit (run folders, models, smoke outputs), listed for the shared kit."""
    return {p for d in ["build/smoke", "experiments", "models"] for p in (ROOT / d).rglob("*")}


def test_two_learners_run_the_labs_on_the_hub_and_log_under_their_names(classroom_hub):
    hub = classroom_hub
    shared_before = kit_files()
    tokens = {}
    for name, password in hub["learners"].items():
        wrong = requests.Session()
        wrong.get(hub["base"] + "/hub/login", timeout=30)
        r = wrong.post(hub["base"] + "/hub/login", timeout=60, allow_redirects=False,
                       data={"username": name, "password": password + "x", "_xsrf": wrong.cookies.get("_xsrf")})
        assert r.status_code == 403, (r.status_code, r.text[:300])     # MLflow refused it, so does the hub
        _, tokens[name] = log_in(hub, name, password)
        seconds = start_server(hub, name, tokens[name])
        print(f"{name}'s JupyterLab: ready in {seconds:.1f} s")
    for name, token in tokens.items():
        print(f"{name}'s JupyterLab alone: {rss_mb(server_pid(name)):.0f} MB")
        for lab in ["lab/00-batch-and-mask.ipynb", "lab/01-train-mini.ipynb", "lab/04-mlflow-wiring.ipynb"]:
            seconds, memory = run_notebook(hub, name, token, lab)
            print(f"{name}: {lab} in {seconds:.1f} s; JupyterLab + its Java kernel: {memory:.0f} MB")

    # Both runs on the shared server, under their learners' names.
    status, answer = rest(hub["uri"], "POST", "/api/2.0/mlflow/runs/search",
                          {"experiment_ids": [hub["experiment"]], "max_results": 100}, hub["admin"])
    assert status == 200, answer
    users = sorted(t["value"] for r in answer["runs"] for t in r["data"]["tags"] if t["key"] == "mlflow.user")
    assert users == ["alice", "bob"], answer

    # Each learner in their own copy: a file alice saves is not in bob's, and each has only their own run folder.
    auth = {"Authorization": f"token {tokens['alice']}"}
    r = requests.put(f"{hub['base']}/user/alice/api/contents/lab/alice-notes.txt", headers=auth, timeout=30,
                     json={"type": "file", "format": "text", "content": "mine"})
    assert r.status_code in (200, 201), r.text
    listing = requests.get(f"{hub['base']}/user/bob/api/contents/lab", timeout=30,
                           headers={"Authorization": f"token {tokens['bob']}"}).json()
    assert "alice-notes.txt" not in {f["name"] for f in listing["content"]}
    kits = {name: hub["dir"] / "learners" / name / "kit" for name in tokens}
    for name, kit in kits.items():
        models = sorted((kit / "build" / "smoke").rglob("minigpt-phase18-*.json"))
        assert models, f"{name} published no model in their own kit"
        manifest = json.loads(models[-1].read_text())
        assert manifest["mlflow"]["tracking_uri"] == hub["uri"]
        assert (kit / manifest["run_dir"]).is_dir() or Path(manifest["run_dir"]).is_dir()
        assert str(kit) in str((kit / manifest["run_dir"]).resolve())
    assert kit_files() == shared_before, "a learner's lab wrote into the shared kit"
    # Requests made with one learner's token cannot reach the other's server.
    r = requests.get(f"{hub['base']}/user/bob/api/contents/lab", headers=auth, timeout=30, allow_redirects=False)
    assert r.status_code in (302, 403), r.status_code


def _environ(p):
    try:
        return (p / "environ").read_bytes()
    except OSError:
        return b""


def _cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""

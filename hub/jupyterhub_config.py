"""JupyterHub for a class, from the kit's .venv: `make hub` (README: Teaching a class).

A learner logs in with their account on the class's MLflow server (MLFLOW_TRACKING_URI, started with
`bin/mlflow-server start --auth`): the hub checks the password with that server, and hands it only to the
learner's own JupyterLab, as MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD, so lab 04 logs under the
learner's name. Each learner gets their own copy of the kit (notebooks, experiments, models; the built library
and the corpus are shared read-only), and a Java kernel whose kit root is that copy: one learner's edits and run
folders never appear in another's.

KIT_HUB_DIR (default: <kit>/hub-state, gitignored) holds the hub's database, secrets and the learners' copies.
The learners' servers run as the teacher's own Unix user, like JupyterHub's SimpleLocalProcessSpawner: fine on a
teacher's machine or a course VM, not a shared server with untrusted users (use DockerSpawner or the system
users of LocalProcessSpawner there).
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from jupyterhub.auth import Authenticator
from jupyterhub.spawner import SimpleLocalProcessSpawner
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(sys.prefix)                      # make hub runs jupyterhub from the kit's .venv
STATE = Path(os.environ.get("KIT_HUB_DIR", ROOT / "hub-state")).resolve()
MLFLOW = os.environ.get("MLFLOW_TRACKING_URI", "").rstrip("/")
if not MLFLOW:
    sys.exit("hub: set MLFLOW_TRACKING_URI to the class's MLflow server (bin/mlflow-server start --auth)")
STATE.mkdir(parents=True, exist_ok=True)


def kept_secret(name, make):
    """A secret made once and kept in KIT_HUB_DIR, readable by the teacher only: a restart keeps the logins."""
    path = STATE / name
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(make())
    return path.read_text().strip()
# Shared by every learner, read-only in practice: the built library and the corpus.
SHARED = ["lib/target", "corpus"]
# Passed through to the learners' servers when the teacher sets them (KIT_SMOKE: the short lab runs of the tests).
PASS_ON = ["KIT_SMOKE", "OPENBLAS_CORETYPE", "MLFLOW_TRACKING_SERVER_CERT_PATH", "MLFLOW_TRACKING_INSECURE_TLS"]


class MlflowAuthenticator(Authenticator):
    """The MLflow server is the class's one list of accounts: a login is valid when that server accepts it."""

    async def authenticate(self, handler, data):
        user, password = data.get("username", ""), data.get("password", "")
        if not user or not password:
            return None
        request = HTTPRequest(MLFLOW + "/api/2.0/mlflow/users/current", auth_username=user, auth_password=password,
                              request_timeout=30)
        try:
            await AsyncHTTPClient().fetch(request)
        except HTTPClientError as e:
            if e.code in (401, 403):
                self.log.info("MLflow refused the login of %s (HTTP %s)", user, e.code)   # never the password
                return None
            raise
        # auth_state is kept encrypted (JUPYTERHUB_CRYPT_KEY) and read back only to start this learner's server.
        return {"name": user, "auth_state": {"mlflow_password": password}}

    async def pre_spawn_start(self, user, spawner):
        state = await user.get_auth_state() or {}
        spawner.environment["MLFLOW_TRACKING_PASSWORD"] = state.get("mlflow_password", "")


def learner_kit(spawner):
    """The learner's own copy of the kit (made once): the files git tracks, the shared parts as links, and a
    kernelspec whose -Dminitrain.home is this copy (Kit.root(): where runs, models and plots are written)."""
    kit = Path(spawner.home_dir) / "kit"
    if not kit.exists():
        tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True).stdout
        for name in tracked.decode().split("\0"):
            if name and (ROOT / name).is_file():
                (kit / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, kit / name)
        for shared in SHARED:
            if (kit / shared).is_dir():
                shutil.rmtree(kit / shared)
            (kit / shared).parent.mkdir(parents=True, exist_ok=True)
            (kit / shared).symlink_to(ROOT / shared)
    installed = VENV / "share/jupyter/kernels/java"
    spec = json.loads((installed / "kernel.json").read_text())
    # The same kernel (its launcher stays in .venv), with this copy as the kit's root.
    home = (f"-Dminitrain.home={ROOT}", f"-Dminitrain.home={kit}")
    spec["argv"] = [a.replace(*home).replace("{resource_dir}", str(installed)) for a in spec["argv"]]
    spec["env"] = {k: str(kit) if k == "MINITRAIN_HOME" else v.replace(*home) for k, v in spec.get("env", {}).items()}
    kernels = kit / ".jupyter/kernels/java"
    kernels.mkdir(parents=True, exist_ok=True)
    (kernels / "kernel.json").write_text(json.dumps(spec, indent=1))
    spawner.notebook_dir = str(kit / "notebooks")
    spawner.environment.update({
        "JUPYTER_PATH": str(kit / ".jupyter"),          # this kernelspec before .venv's
        "KIT_VENV": str(VENV),                          # the copy has no .venv: the kit's tools use the shared one
        "MLFLOW_TRACKING_URI": MLFLOW,
        "MLFLOW_TRACKING_USERNAME": spawner.user.name,
        **{k: os.environ[k] for k in PASS_ON if k in os.environ},
    })


c = get_config()  # noqa: F821 (JupyterHub's config loader provides it)
c.JupyterHub.ip = os.environ.get("KIT_HUB_IP", "127.0.0.1")
c.JupyterHub.port = int(os.environ.get("KIT_HUB_PORT", "8000"))
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.command = [str(ROOT / "hub/node_modules/.bin/configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
c.CryptKeeper.keys = [bytes.fromhex(kept_secret("auth-state.key", lambda: os.urandom(32).hex()))]
c.JupyterHub.authenticator_class = MlflowAuthenticator
c.Authenticator.enable_auth_state = True
c.Authenticator.allow_all = True                  # every account of the class's MLflow server
c.Authenticator.admin_users = {"admin"}           # the MLflow server's admin is the hub's too
c.JupyterHub.spawner_class = SimpleLocalProcessSpawner
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "learners" / "{username}")
c.Spawner.cmd = [str(VENV / "bin/jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.args = ["--allow-root"] if os.getuid() == 0 else []   # as make lab: a course VM's only user may be root
c.Spawner.pre_spawn_hook = learner_kit
c.Spawner.start_timeout = 180                     # a JupyterLab on a busy machine
c.Spawner.http_timeout = 180

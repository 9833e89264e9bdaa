"""environment.yml's pip section and requirements.lock must never disagree, and the venv must match them."""
import subprocess
import sys

from conftest import ROOT

PINS = ROOT / "bin" / "pins"
ENV = ROOT / "environment.yml"
LOCK = ROOT / "requirements.lock"


def check_lock(env_file):
    return subprocess.run([sys.executable, str(PINS), "--env", str(env_file), "--check-lock", str(LOCK)],
                          capture_output=True, text=True)


def test_committed_environment_agrees_with_lock():
    r = check_lock(ENV)
    assert r.returncode == 0, r.stderr


def test_this_venv_has_exactly_the_pins():
    r = subprocess.run([sys.executable, str(PINS), "--check-installed"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_removing_a_pinned_package_is_detected(tmp_path):
    text = ENV.read_text()
    assert "      - mlflow==" in text
    broken = tmp_path / "environment.yml"
    broken.write_text("\n".join(l for l in text.splitlines() if "mlflow==" not in l) + "\n")
    r = check_lock(broken)
    assert r.returncode == 1
    assert "lacks mlflow" in r.stderr


def test_changing_a_version_is_detected(tmp_path):
    broken = tmp_path / "environment.yml"
    broken.write_text(ENV.read_text().replace("numpy==2.4.6", "numpy==2.4.5"))
    r = check_lock(broken)
    assert r.returncode == 1
    assert "numpy==2.4.6 disagrees" in r.stderr and "numpy==2.4.5" in r.stderr


def test_an_unpinned_requirement_is_refused(tmp_path):
    broken = tmp_path / "environment.yml"
    broken.write_text(ENV.read_text().replace("safetensors==0.8.0", "safetensors>=0.8"))
    r = check_lock(broken)
    assert r.returncode == 1
    assert "not a pinned requirement" in r.stderr and ":" in r.stderr.split("'")[0]

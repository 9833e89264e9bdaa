"""An unwritable or full disk: one line on stderr, no partial file, and the last checkpoint kept.

The tests run as root, where chmod does not stop a write; so "read-only" and "full" are real file systems:
small tmpfs mounts, read-only or a few hundred kB in size (skipped where mount is not permitted). A folder
whose path runs through a regular file needs no mount and is refused even to root.
"""
import contextlib
import hashlib
import json
import re
import shutil
import subprocess

import pytest
from safetensors import safe_open

from conftest import minitrain

CONFIG = {"n_layer": 1, "n_embd": 16, "n_head": 2, "max_steps": 40, "warmup_steps": 4, "eval_every": 100,
          "ckpt_every": 5, "batch_size": 8, "seed": 5}


@contextlib.contextmanager
def tmpfs(path, size, read_only=False):
    """A small RAM file system at path: its size is the whole disk, so a write past it fails with ENOSPC."""
    path.mkdir(parents=True, exist_ok=True)
    opts = f"size={size}" + (",ro" if read_only else "")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({r.stderr.strip()}): needs root with CAP_SYS_ADMIN")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def one_line_error(r):
    lines = [l for l in r.stderr.splitlines() if l.strip() and not l.startswith("minitrain: building")]
    assert r.returncode not in (0, 70), (r.returncode, r.stdout, r.stderr)  # 70 would be an internal error
    assert len(lines) == 1, r.stderr
    return lines[0]


def snapshot(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def checkpoint_steps(run):
    """Every checkpoint loads in Python's safetensors and holds the step its name says."""
    steps = []
    for p in sorted(run.glob("ckpt-*.safetensors")):
        with safe_open(str(p), framework="numpy") as f:
            for name in f.keys():
                f.get_tensor(name)
            assert int(f.metadata()["step"]) == int(p.name[5:11]), p
        steps.append(int(p.name[5:11]))
    return steps


@pytest.fixture
def config(tmp_path):
    c = tmp_path / "config.json"
    c.write_text(json.dumps(CONFIG))
    return c


def test_run_folder_through_a_file_is_refused(tmp_path, config):
    (tmp_path / "file").write_text("not a folder")
    r = minitrain("train", "--config", config, "--run-dir", tmp_path / "file" / "run", "--models", tmp_path / "m")
    assert "Not a directory" in one_line_error(r)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.json", "file"]


def test_models_folder_through_a_file_is_refused_before_training(tmp_path, config):
    (tmp_path / "file").write_text("not a folder")
    r = minitrain("train", "--config", config, "--run-dir", tmp_path / "run", "--models", tmp_path / "file" / "models")
    line = one_line_error(r)
    assert "cannot write in this folder" in line and "models" in line, line
    assert "step" not in r.stdout and not (tmp_path / "run").exists(), "refused before any training"


def test_read_only_run_folder(tmp_path, config):
    with tmpfs(tmp_path / "ro", "64k", read_only=True) as ro:
        r = minitrain("train", "--config", config, "--run-dir", ro / "run", "--models", tmp_path / "m")
        assert "Read-only file system" in one_line_error(r)
        assert list(ro.iterdir()) == [] and not (tmp_path / "m").exists()


def test_read_only_models_folder_is_refused_before_training(tmp_path, config):
    with tmpfs(tmp_path / "ro", "64k", read_only=True) as ro:
        r = minitrain("train", "--config", config, "--run-dir", tmp_path / "run", "--models", ro / "models")
        assert "Read-only file system" in one_line_error(r)
        assert not (tmp_path / "run").exists() and "step" not in r.stdout


def test_disk_full_during_training_keeps_the_last_checkpoint(tmp_path, config):
    # 400 kB: run.json, the log and three checkpoints of 124 kB fit; the fourth does not.
    with tmpfs(tmp_path / "small", "400k") as small:
        run = small / "run"
        r = minitrain("train", "--config", config, "--run-dir", run, "--models", tmp_path / "models")
        line = one_line_error(r)
        assert "No space left on device" in line and str(run) in line, line
        assert not [p.name for p in run.iterdir() if p.name.endswith(".tmp")], "a partial file was left behind"
        steps = checkpoint_steps(run)
        assert steps and steps == list(range(5, 5 * len(steps) + 1, 5)), steps
        assert not (tmp_path / "models").exists(), "nothing published from a failed run"
        shutil.copytree(run, tmp_path / "moved")
    # The kept checkpoint is a real one: moved to a disk with room, the run continues from it to the end.
    r = minitrain("resume", tmp_path / "moved")
    assert r.returncode == 0, r.stderr
    assert re.search(rf"steps {max(steps)}\.\.39 ", r.stdout), r.stdout


def test_resume_into_a_read_only_run_folder_changes_nothing(tmp_path, config):
    with tmpfs(tmp_path / "disk", "2m") as disk:
        run = disk / "run"
        r = minitrain("train", "--config", config, "--max-steps", "12", "--run-dir", run, "--models", tmp_path / "m")
        assert r.returncode == 0, r.stderr
        # Pretend it stopped at step 10: the last checkpoint goes, the folder turns read-only.
        for p in run.glob("ckpt-000012.*"):
            p.unlink()
        before = snapshot(run)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        r = minitrain("resume", run)
        assert "Read-only file system" in one_line_error(r)
        assert snapshot(run) == before, "the checkpoints and the log must be untouched"
        assert checkpoint_steps(run) == [5, 10]


def test_full_models_folder_keeps_the_published_model_and_the_checkpoints(tmp_path, config):
    with tmpfs(tmp_path / "models", "48k") as models:
        # An earlier publication, which a failed one must leave as it was.
        (models / "minigpt-phase18-000000000000.safetensors").write_bytes(b"\0" * 20000)
        (models / "minigpt-phase18-000000000000.json").write_text("{}\n")
        before = snapshot(models)
        run = tmp_path / "run"
        r = minitrain("train", "--config", config, "--max-steps", "10", "--run-dir", run, "--models", models)
        line = one_line_error(r)
        assert "No space left on device" in line and str(models) in line, line
        assert snapshot(models) == before, "no partial model, no temporary file, the old model untouched"
        assert checkpoint_steps(run) == [5, 10], "the run's checkpoints survive a failed publication"

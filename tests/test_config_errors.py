"""A bad training config stops `minitrain train` before any work: one line on stderr naming the file and
the key, a non-zero exit status, and no run folder (a half-made folder would then block the corrected rerun,
since train refuses a folder that already holds a run)."""
import json

import pytest

from conftest import minitrain

TINY = {"n_layer": 1, "n_embd": 16, "n_head": 2, "max_steps": 2, "warmup_steps": 1, "batch_size": 8}

CASES = {
    "unknown key": ({"n_layers": 2}, 'unknown key "n_layers"'),
    "string for an integer": ({"n_layer": "2"}, '"n_layer" must be an integer'),
    "fraction for an integer": ({"batch_size": 8.5}, '"batch_size" must be an integer'),
    "list for a number": ({"lr": [0.001]}, '"lr" must be a number'),
    "n_embd not divisible by n_head": ({"n_embd": 18, "n_head": 4}, "n_embd must be a multiple of n_head (4)"),
    "block_size shorter than the longest record": ({"block_size": 32}, "block_size 32 is shorter than the longest record"),
    "block_size one short": ({"block_size": 63}, "needs 64 inputs"),
    "warmup past the end": ({"warmup_steps": 5}, "warmup_steps must be in [0, max_steps)"),
    "negative learning rate": ({"lr": -1}, "lr must be positive"),
    "floor above the peak": ({"min_lr": 0.01}, "min_lr must be in [0, lr]"),
}


def one_line_error(r):
    lines = [l for l in r.stderr.splitlines() if l.strip() and not l.startswith("minitrain: building")]
    assert r.returncode not in (0, 70), (r.returncode, r.stderr)  # 70 is an internal error, not a refusal
    assert len(lines) == 1, r.stderr
    return lines[0]


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_config_is_one_line_before_any_work(tmp_path, case):
    overrides, expected = CASES[case]
    config = tmp_path / "config.json"
    config.write_text(json.dumps({**TINY, **overrides}))
    run_dir, models = tmp_path / "run", tmp_path / "models"
    r = minitrain("train", "--config", config, "--run-dir", run_dir, "--models", models, timeout=120)
    line = one_line_error(r)
    assert str(config) in line and expected in line, line
    assert not run_dir.exists() and not models.exists(), "a refused config must leave nothing behind"
    assert r.stdout == "", "no training output: the refusal comes before any work"


@pytest.mark.parametrize("text", ["{\"n_layer\": 1,", "[1, 2]", ""], ids=["cut short", "not an object", "empty"])
def test_config_that_is_not_a_json_object(tmp_path, text):
    config = tmp_path / "config.json"
    config.write_text(text)
    r = minitrain("train", "--config", config, "--run-dir", tmp_path / "run", "--models", tmp_path / "m", timeout=120)
    assert str(config) in one_line_error(r)
    assert not (tmp_path / "run").exists()

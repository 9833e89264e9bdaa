"""An absurd learning rate: training stops at the first non-finite loss or gradient with one line naming
the step and the tensor, keeps the checkpoints written before it (all finite), and publishes nothing."""
import json
import re

import numpy as np
from safetensors.numpy import load_file

from conftest import minitrain

# lr 1e30: a few steps of finite but enormous weights (checkpointed every 2 steps), then NaN.
ABSURD = {"n_layer": 1, "n_embd": 16, "n_head": 2, "max_steps": 40, "warmup_steps": 4, "eval_every": 100,
          "ckpt_every": 2, "batch_size": 8, "lr": 1e30, "grad_clip": 0, "seed": 1337}


def test_absurd_learning_rate_stops_naming_step_and_tensor(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps(ABSURD))
    run, models = tmp_path / "run", tmp_path / "models"
    r = minitrain("train", "--config", config, "--run-dir", run, "--models", models, timeout=300)
    assert r.returncode == 1, (r.returncode, r.stderr)
    lines = [l for l in r.stderr.splitlines() if l.strip() and not l.startswith("minitrain: building")]
    assert len(lines) == 1, r.stderr
    m = re.fullmatch(r"minitrain: step (\d+): (loss is \S+, )?first non-finite gradient in ([\w.]+); "
                     r"the last good checkpoint (ckpt-\d{6}\.safetensors) is kept and nothing was published", lines[0])
    assert m, lines[0]
    step, tensor, kept = int(m.group(1)), m.group(3), m.group(4)
    ckpts = sorted(p.name for p in run.glob("ckpt-*.safetensors"))
    assert ckpts and ckpts[-1] == kept, (ckpts, kept)
    assert int(kept[5:11]) <= step, "no checkpoint from the failed step or after it"
    for name in ckpts:
        tensors = load_file(str(run / name))
        assert tensor in tensors, f"{tensor} is not a tensor of the model"
        for key, a in tensors.items():
            assert np.isfinite(a).all(), f"{name}: {key} holds a non-finite value"
    assert not models.exists() or not any(models.iterdir()), "nothing may be published from a diverged run"

"""Our safetensors files and Python's `safetensors` library read each other, bit for bit.

Java -> Python: a tiny training run writes a checkpoint and a published model; safetensors.numpy loads
them, and every tensor's bytes hash the same as the values Java loaded (`minitrain inspect --sha256`).
Python -> Java: safetensors.numpy writes tensors of several dtypes; `minitrain inspect` reads them and
reports the same names, dtypes, shapes and value hashes.
Both ways on bad files: every file of the fuzzers' seed corpus is accepted by both readers or refused by both.
"""
import hashlib
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from safetensors import SafetensorError, safe_open
from safetensors.numpy import load_file, save_file

from conftest import ROOT, minitrain

SEEDS = ROOT / "lib/src/test/resources/minitrain/fuzz/safetensors"

TINY = {"n_layer": 1, "n_head": 2, "n_embd": 16, "batch_size": 8, "max_steps": 4, "warmup_steps": 1,
        "eval_every": 1000, "ckpt_every": 2, "seed": 3}


def java_view(path):
    r = minitrain("inspect", "--sha256", path)
    assert r.returncode == 0, r.stderr
    rows = {}
    for line in r.stdout.splitlines():
        m = re.match(r"^(\S+)\s+(F64|F32|F16|BF16|I64|I32)\s+\[([0-9, ]*)\]\s+sha256=([0-9a-f]{64})$", line)
        if m:
            shape = [int(x) for x in m.group(3).split(",") if x.strip()]
            rows[m.group(1)] = (m.group(2), shape, m.group(4))
    return rows


def test_java_files_load_in_python(tmp_path):
    cfg = tmp_path / "tiny.json"
    cfg.write_text(json.dumps(TINY))
    r = minitrain("train", "--config", cfg, "--run-dir", tmp_path / "run", "--models", tmp_path / "models", timeout=900)
    assert r.returncode == 0, r.stderr + r.stdout
    files = sorted((tmp_path / "run").glob("ckpt-*.safetensors")) + sorted((tmp_path / "models").glob("*.safetensors"))
    assert len(files) == 3  # checkpoints at steps 2 and 4, and the published model
    for f in files:
        tensors = load_file(str(f))
        java = java_view(f)
        assert set(tensors) == set(java)
        for name, arr in tensors.items():
            dtype, shape, digest = java[name]
            assert {"F64": np.float64, "F32": np.float32}[dtype] == arr.dtype.type
            assert list(arr.shape) == shape
            assert hashlib.sha256(np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<")).tobytes()).hexdigest() == digest, name
        with safe_open(str(f), framework="numpy") as h:
            meta = h.metadata()
        assert json.loads(meta["config"])["n_embd"] == 16
        assert json.loads(meta["vocab"])[:3] == ["<pad>", "<bos>", "<eos>"]


def test_python_files_load_in_java(tmp_path):
    rng = np.random.default_rng(0)
    tensors = {
        "w.f64": rng.normal(size=(3, 4)),
        "w.f32": rng.normal(size=(5,)).astype(np.float32),
        "ids.i64": np.arange(6, dtype=np.int64).reshape(2, 3),
        "ids.i32": np.array([7, -1], dtype=np.int32),
        "scalar": np.array(2.5),
        "empty": np.zeros((0, 3)),
    }
    path = tmp_path / "py.safetensors"
    save_file(tensors, str(path), metadata={"from": "python"})
    java = java_view(path)
    names = {"float64": "F64", "float32": "F32", "int64": "I64", "int32": "I32"}
    for name, arr in tensors.items():
        dtype, shape, digest = java[name]
        assert dtype == names[str(arr.dtype)]
        assert shape == list(arr.shape)
        assert hashlib.sha256(arr.tobytes()).hexdigest() == digest, name


def test_a_broken_file_is_one_line_and_nonzero(tmp_path):
    path = tmp_path / "broken.safetensors"
    path.write_bytes((10**6).to_bytes(8, "little") + b"{}")
    r = minitrain("inspect", path)
    assert r.returncode != 0
    lines = [l for l in r.stderr.splitlines() if l.strip() and not l.startswith("minitrain: building")]
    assert len(lines) == 1 and "runs past the end" in lines[0], r.stderr


def python_verdict(path):
    """(accepted, why) from Python's safetensors, opened as a user would.

    safe_open parses and checks the whole header and the byte layout (the format's verdict); every tensor's
    shape and dtype are then read, and load_file loads them all into numpy. numpy itself cannot hold some valid
    files (it has no bfloat16, and refuses a 0-element shape whose dimensions multiply past its size limit):
    such a load error comes from numpy, not from the safetensors reader, and does not make the file invalid.
    """
    try:
        with safe_open(str(path), framework="numpy") as f:
            f.metadata()
            for name in f.keys():
                view = f.get_slice(name)
                view.get_shape(), view.get_dtype()
    except SafetensorError as e:
        return False, str(e)
    try:
        load_file(str(path))
    except SafetensorError as e:
        return False, str(e)
    except (TypeError, ValueError) as e:  # numpy's limits, listed above
        assert "bfloat16" in str(e) or "too big" in str(e) or "dimension" in str(e), f"{path.name}: {e}"
    return True, ""


def kit_verdict(path):
    """(accepted, why) from `minitrain inspect FILE`: exit status 0, or one line naming the file."""
    r = minitrain("inspect", path)
    if r.returncode == 0:
        return True, ""
    lines = [l for l in r.stderr.splitlines() if l.strip() and not l.startswith("minitrain: building")]
    assert len(lines) == 1 and path.name in lines[0], f"{path.name}: not one line naming the file: {r.stderr}"
    return False, lines[0]


def test_every_seed_file_is_judged_alike_by_python_and_the_kit():
    seeds = sorted(SEEDS.glob("*.safetensors"))
    names = {p.stem for p in seeds}
    assert len(seeds) >= 90 and "bad-unpaired-surrogate-escaped" in names and "ok-duplicate-name" in names
    # One JVM per file, as a user runs it; two at a time so the corpus takes minutes, not many.
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        kit = dict(zip(seeds, pool.map(kit_verdict, seeds)))
    python = {p: python_verdict(p) for p in seeds}
    disagree = [f"{p.name}: python {'accepts' if python[p][0] else 'refuses (' + python[p][1] + ')'}, "
                f"kit {'accepts' if kit[p][0] else 'refuses (' + kit[p][1] + ')'}"
                for p in seeds if python[p][0] != kit[p][0]]
    assert not disagree, f"{len(disagree)} of {len(seeds)} seed files judged differently:\n" + "\n".join(disagree)
    # The names say what the reference does (ok-* accepted, bad-* refused), so the fuzzers check the kit against it.
    misnamed = [p.name for p in seeds
                if p.name.startswith(("ok-", "bad-")) and python[p][0] != p.name.startswith("ok-")]
    assert not misnamed, "seed names that say otherwise than Python's safetensors: " + ", ".join(misnamed)
    accepted = sum(v[0] for v in python.values())
    assert 30 <= accepted <= len(seeds) - 30, f"{accepted} of {len(seeds)} accepted: the corpus tests both sides"

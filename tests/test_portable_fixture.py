"""The test that crosses machines: a short run in portable mode gives the committed bytes on any x86-64 CPU
with AVX2 and FMA, whatever its model, number of cores and vector width (bin/blas-env says why that holds for the
matrix products; the kit's own kernels are Java arithmetic, whose bits the JIT's vector instructions keep).

The run is tests/reference/portable_fixture_config.json (30 steps of a 2-layer model, gradient accumulation
and dropout on); tests/reference/portable_fixture.json holds the sha256 of its final checkpoint, written in
portable mode by

    .venv/bin/python tests/test_portable_fixture.py --write

which is needed again only when the model's arithmetic or the checkpoint format changes on purpose.
"""
import hashlib
import json
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import without_blas_settings

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "tests" / "reference" / "portable_fixture_config.json"
EXPECTED = ROOT / "tests" / "reference" / "portable_fixture.json"


def portable_env(java_opts=None):
    """This environment in portable mode: bin/blas-env pins the kernels, nothing of the caller's overrides them."""
    env = without_blas_settings()
    env["MINITRAIN_BLAS"] = "portable"
    if java_opts:
        env["MINITRAIN_JAVA_OPTS"] = java_opts
    return env


def portable_refusal():
    """bin/blas-env's reason when this machine cannot run portable mode (not x86-64 with AVX2 and FMA), else None."""
    r = subprocess.run([str(ROOT / "bin" / "blas-env")], env=portable_env(), capture_output=True, text=True)
    if r.returncode == 0:
        return None
    return r.stderr.strip() or f"bin/blas-env exited {r.returncode}"


def train(out, java_opts=None):
    """Runs the fixture's config into out/run and out/models; returns the final checkpoint and the manifest."""
    r = subprocess.run([str(ROOT / "bin" / "minitrain"), "train", "--config", str(CONFIG),
                        "--run-dir", str(out / "run"), "--models", str(out / "models")],
                       cwd=ROOT, env=portable_env(java_opts), capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    steps = json.loads(CONFIG.read_text())["max_steps"]
    checkpoint = out / "run" / f"ckpt-{steps:06d}.safetensors"
    manifests = list((out / "models").glob("*.json"))
    assert checkpoint.exists() and len(manifests) == 1, sorted(p.name for p in out.rglob("*"))
    return checkpoint, json.loads(manifests[0].read_text())


def hashes(checkpoint):
    """sha256 of the whole file, and of its tensor bytes alone (everything after the JSON header)."""
    data = checkpoint.read_bytes()
    (header_len,) = struct.unpack("<Q", data[:8])
    return hashlib.sha256(data).hexdigest(), hashlib.sha256(data[8 + header_len:]).hexdigest()


# The default; three cores' worth of threads (the kit's kernels split their rows three ways, not two); the JIT
# limited to AVX2, as on a CPU without AVX-512 (GELU's loops then run 4 values at a time instead of 8); and without
# the kit's C library, as where it is not built (no C compiler, not Linux x86-64): the Java loops and OpenBLAS's
# products, the code the C kernels stand in for.
@pytest.mark.parametrize("java_opts", [None, "-Xmx4g -XX:ActiveProcessorCount=3", "-Xmx4g -XX:UseAVX=2",
                                       "-Xmx4g -Dminitrain.native=false"],
                         ids=["cores-as-is", "3-cores", "avx2-jit", "without-c"])
def test_a_portable_run_reproduces_the_committed_checkpoint(tmp_path, java_opts):
    refusal = portable_refusal()
    if refusal:
        pytest.skip(f"this machine has no portable mode: {refusal}")
    expected = json.loads(EXPECTED.read_text())
    checkpoint, manifest = train(tmp_path, java_opts)
    env = manifest["environment"]
    assert env["blas_mode"] == "portable" and env["blas_coretype"].lower() == "haswell", env
    file_sha, tensors_sha = hashes(checkpoint)
    # The tensors first: a difference there is arithmetic (kernels, thread splits); one in the file alone is
    # the checkpoint's metadata.
    assert tensors_sha == expected["tensors_sha256"], (
        f"the weights and optimizer state differ from the committed portable run ({env['cpu']}, "
        f"{env['threads']} threads): the arithmetic depends on something portable mode does not pin")
    assert file_sha == expected["sha256"], "same tensors, other metadata: the checkpoint format changed"


def write():
    """Trains the fixture in portable mode and writes the expected hashes (for a deliberate change)."""
    refusal = portable_refusal()
    if refusal:
        sys.exit(f"test_portable_fixture: cannot write the fixture: {refusal}")
    with tempfile.TemporaryDirectory() as tmp:
        checkpoint, manifest = train(Path(tmp))
        file_sha, tensors_sha = hashes(checkpoint)
    env = manifest["environment"]
    assert env["blas_mode"] == "portable", env
    EXPECTED.write_text(json.dumps({
        "_comment": "Written by `python tests/test_portable_fixture.py --write` in portable mode: the final "
                    "checkpoint of tests/reference/portable_fixture_config.json. Any x86-64 CPU with AVX2 and FMA "
                    "must reproduce it (tests/test_portable_fixture.py).",
        "checkpoint": checkpoint.name,
        "sha256": file_sha,
        "tensors_sha256": tensors_sha,
        "blas_coretype": env["blas_coretype"],
        "written_on": {"cpu": env["cpu"], "threads": env["threads"], "java": env["java"]},
    }, indent=2) + "\n")
    print(f"test_portable_fixture: {checkpoint.name} sha256 {file_sha} written to {EXPECTED.relative_to(ROOT)}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/test_portable_fixture.py --write   (the test itself runs under pytest)")
    write()

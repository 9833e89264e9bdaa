"""Every number a theory notebook states in its prose is held to what its code prints.

Each test runs the notebook headless on the JJava kernel (once per module, or reuses the copy test_notebooks.py
has just executed), reads the output of the cell that makes the claim (found by its cell id) and checks two
things: the printed number satisfies the bound, and the prose still states that bound. If either the code or
the prose drifts, a test fails. The fp16/bf16 limits the mixed-precision notebook quotes are checked against
NumPy's float16 and a bit-level bf16, not the kit.
"""
import importlib.machinery
import importlib.util
import math
import re

import numpy as np
import pytest

from conftest import ROOT

_loader = importlib.machinery.SourceFileLoader("kit_notebooks", str(ROOT / "bin" / "notebooks"))
_spec = importlib.util.spec_from_loader("kit_notebooks", _loader)
runner = importlib.util.module_from_spec(_spec)
_loader.exec_module(runner)

OUT = ROOT / "build" / "notebooks"
_executed = {}


def executed(rel):
    """The notebook at notebooks/<rel>, executed. A copy test_notebooks.py executed is reused when it is newer
    than the notebook and the library jars, so it came from exactly these; otherwise the notebook runs here."""
    if rel not in _executed:
        source, copy = ROOT / "notebooks" / rel, OUT / rel
        inputs = [source, *(ROOT / "lib" / "target" / "jars").glob("*.jar")]
        if copy.exists() and copy.stat().st_mtime > max(p.stat().st_mtime for p in inputs):
            import nbformat
            _executed[rel] = nbformat.read(copy, as_version=4)
        else:
            try:
                _executed[rel], _ = runner.execute(source, OUT)
            except runner.NotebookFailed as e:
                pytest.fail(str(e), pytrace=False)
    return _executed[rel]


def cell(nb, cell_id):
    found = [c for c in nb.cells if c.get("id") == cell_id]
    assert found, f"no cell {cell_id!r}: the claim moved"
    return found[0]


def printed(nb, cell_id):
    """The text a code cell printed or returned."""
    text = []
    for out in cell(nb, cell_id).get("outputs", []):
        if out.get("output_type") == "stream":
            text.append(out.get("text", ""))
        elif "text/plain" in out.get("data", {}):
            text.append(out["data"]["text/plain"])
    return "".join(text)


def prose(nb, cell_id):
    return " ".join(cell(nb, cell_id).source.split())  # one line: claims may wrap


def number(text, pattern):
    m = re.search(pattern, text)
    assert m, f"{pattern!r} not in {text!r}"
    return float(m.group(1))


# ---- theory 00 ----

def test_first_loss_is_within_a_tenth_of_a_nat_of_ln_38():
    nb = executed("theory/00-motivation.ipynb")
    out = printed(nb, "t00-first-loss-check")
    vocab = number(out, r"ln (\d+) = ")
    first = number(out, r"first loss of the shipped run \(step 0\) = ([\d.]+)")
    assert vocab == 38
    assert abs(first - math.log(38)) < 0.1, out
    assert "allows 0.1 nats" in prose(nb, "t00-first-loss")
    # The perplexity section quotes V and ln V.
    text = prose(nb, "c07")
    assert "V = 38 tokens" in text and f"ln 38 ≈ {math.log(38):.2f}" in text
    assert f"ln 38 ≈ {math.log(38):.3f}" in prose(nb, "t00-checks")
    solutions = executed("solutions/theory-exercises.ipynb")
    assert f"first logged loss, {first:.2f}," in prose(solutions, "theorye-00a")


def test_overfit_batch_reaches_its_floor_within_the_stated_bound():
    nb = executed("solutions/theory-exercises.ipynb")
    out = printed(nb, "theorye-00d")
    assert out.startswith("correct: "), out
    start = number(out, r"loss ([\d.]+) at step 0")
    end = number(out, r"([\d.]+) at step 99")
    floor = number(out, r"floor ([\d.]+) \(bound")
    assert end - floor < 0.02, out
    assert start > 3, "the fresh model should start near ln 38, far above the floor"
    assert f"{floor:.3f}" == "0.100" and "floor (0.100 nats" in prose(nb, "theorye-00c")
    # The floor is the eight different first characters after the same <bos>: 8 ln 8 nats over 166 targets.
    assert abs(floor - 8 * math.log(8) / 166) < 5e-5
    assert "8 ln 8 nats over the batch's 166 targets" in prose(nb, "theorye-00c")
    theory = executed("theory/00-motivation.ipynb")
    assert "within 0.02 nats of the floor" in prose(theory, "t00-overfit-exercise")
    assert "for 100 steps" in prose(theory, "t00-overfit-exercise")
    assert f"{floor:.4f} nats" in printed(theory, "t00-overfit-batch"), "theory and solution should see the same batch"
    assert printed(theory, "t00-overfit-batch").startswith("166 counted targets")
    assert printed(theory, "t00-overfit-check").startswith("not answered yet"), "the theory notebook ships no answer"


# ---- theory 01 ----

def test_one_denominator_gives_the_whole_batch_and_a_mean_of_means_does_not():
    nb = executed("theory/01-batching-loss-mask.ipynb")
    out = printed(nb, "01bl-accum-code")
    whole = number(out, r"Whole batch: ([\d.]+)")
    one = number(out, r"one denominator \(\d+\): ([\d.]+)")
    means = number(out, r"mean of the two means: ([\d.]+)")
    assert abs(whole - one) < 1e-12
    assert abs(means - whole) > 1e-6, "with micro-batches of different sizes the mean of means must differ"
    sizes = [int(s) for s in re.findall(r"micro-batches of (\d+) and (\d+) targets", out)[0]]
    assert sizes[0] != sizes[1]


def test_bucketed_batches_pad_as_the_prose_says():
    nb = executed("theory/01-batching-loss-mask.ipynb")
    out = printed(nb, "01bl-buckets-code")
    at_random = number(out, r"([\d.]+)% drawn at random")
    bucketed = number(out, r"([\d.]+)% with bucket_batches 16")
    assert 25 < at_random < 35 and bucketed < 5, out
    text = prose(nb, "01bl-buckets-read")
    assert "about 30% of the positions are padding" in text and "under 5% are" in text


def test_dropout_moves_the_training_loss_and_not_the_evaluation_loss():
    out = printed(executed("theory/01-batching-loss-mask.ipynb"), "01bl-dropout-code")
    train = [float(x) for x in re.findall(r"training mode: ([\d.]+), then ([\d.]+)", out)[0]]
    evaluation = [float(x) for x in re.findall(r"evaluation mode: ([\d.]+), then ([\d.]+)", out)[0]]
    assert train[0] != train[1] and evaluation[0] == evaluation[1], out


# ---- theory 02 ----

def test_sgd_momentum_and_adam_end_where_the_prose_says():
    nb = executed("theory/02-optimizer-and-schedule.ipynb")
    rows = {}
    for line in printed(nb, "02oa-sgd-code").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) >= 4 and cells[0] in ("SGD", "momentum", "Adam"):
            rows[cells[0]] = [float(c) for c in cells[1:4]]
    assert set(rows) == {"SGD", "momentum", "Adam"}, rows
    assert rows["momentum"][2] < rows["SGD"][2] / 100
    assert rows["SGD"][0] > 100 * abs(rows["SGD"][1])
    assert abs(rows["Adam"][0] - rows["Adam"][1]) <= 1e-6 * abs(rows["Adam"][0])
    assert "more than a hundred times lower" in prose(nb, "02oa-sgd-read")
    assert "2/50 = 0.04" in prose(nb, "02oa-sgd")


def test_gradient_norm_claims_match_the_shipped_run():
    nb = executed("theory/02-optimizer-and-schedule.ipynb")
    out = printed(nb, "02oa-clip-count")
    first = number(out, r"first norm ([\d.]+)")
    early = number(out, r"(\d+) of them before step 500")
    late = number(out, r"and (\d+) after")
    after = number(out, r"of the (\d+) steps\)")
    assert first > 3 * 1.0 and early > late and early / 500 > 10 * late / after, out
    text = prose(nb, "02oa-clip-read")
    assert "more than three times the threshold" in text and "more than ten times as often" in text
    assert "of the 1500 steps after" in text and after == 1500, out
    assert "(1.0 in the shipped configuration)" in prose(nb, "02oa-clip")


# ---- theory 03 ----

def bf16(x):
    """Round to bf16 (nearest, ties to even) through float32's bits; NaN-free inputs only."""
    bits = np.array([x], dtype=np.float32).view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return float(bits.astype(np.uint32).view(np.float32)[0])


def test_fp16_regions_and_bf16_band_as_stated():
    text = prose(executed("theory/03-mixed-precision-preview.ipynb"), "03mp-10")
    assert "Four regions for fp16" in text
    # below about 3e-8 flush to zero: the flush threshold is half the smallest subnormal, 2^-25
    assert float(np.float16(2.9e-8)) == 0 and float(np.float16(3.0e-8)) > 0
    assert "below about 3e-8" in text
    # subnormals up to the smallest normal, 6e-5 (2^-14 = 6.1e-5)
    assert abs(2.0 ** -14 - 6.1e-5) < 0.05e-5 and "between 3e-8 and 6e-5 the subnormals" in text
    # normal band: relative error under 2^-11 ≈ 5e-4
    xs = np.geomspace(1e-4, 6e4, 20001)
    rel = np.abs(xs.astype(np.float16).astype(np.float64) - xs) / xs
    assert rel.max() <= 2.0 ** -11 and "under 2^-11 ≈ 5e-4" in text
    # overflow above 65520
    with np.errstate(over="ignore"):
        assert np.isinf(np.float16(65520.0)) and not np.isinf(np.float16(65519.99))
    assert "above 65520, overflow" in text
    # bf16: a band about eight times higher (2^-8 against 2^-11)
    band = max(abs(bf16(x) - x) / x for x in np.geomspace(1e-30, 1e30, 4001))
    assert 2.0 ** -9 < band <= 2.0 ** -8 and "about eight times higher" in text


def test_accumulators_stall_where_the_prose_says():
    nb = executed("theory/03-mixed-precision-preview.ipynb")
    out = printed(nb, "03mp-14")
    assert number(out, r"fp16 stalls at ([\d.]+)") == 256 and number(out, r"bf16 stalls at ([\d.]+)") == 32
    assert "fp16 stalls at 256" in prose(nb, "03mp-15") and "bf16 stalls at 32" in prose(nb, "03mp-15")


def test_loss_scaling_rescues_the_small_gradient_and_overflows_the_large_one():
    nb = executed("theory/03-mixed-precision-preview.ipynb")
    out = printed(nb, "03mp-scaling-code")
    small = [line for line in out.splitlines() if line.strip().startswith("1e-8")][0]
    large = [line for line in out.splitlines() if line.strip().startswith("200")][0]
    plain, _, back = [float(c) for c in small.split("|")[1:4]]
    assert plain == 0 and abs(back - 1e-8) / 1e-8 < 0.01, small
    assert "Infinity" in large.split("|")[2], large
    text = prose(nb, "03mp-scaling")
    assert "below about 3e-8 they flush to zero" in text and "smallest normal (6.1e-5)" in text
    drift = (ROOT / "lib/src/main/java/minitrain/precision/Drift.java").read_text()
    records = re.search(r"ARITH_RECORDS = (\d+);", drift).group(1)
    assert f"`-arith` rows on {records} records only" in prose(nb, "03mp-why-not")
    # NumPy agrees on the three numbers the table shows.
    with np.errstate(over="ignore"):
        assert float(np.float16(1e-8)) == 0 and np.isinf(np.float16(200 * 1024.0))
    assert abs(float(np.float16(1e-8 * 1024)) / 1024 - 1e-8) / 1e-8 < 0.01


def test_every_notebook_draws_through_charts():
    """Charts.png and Charts.save apply the kit's chart style; a notebook that encodes a chart itself skips it."""
    import json
    for path in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        for i, c in enumerate(json.loads(path.read_text())["cells"]):
            text = "".join(c["source"])
            assert "BitmapEncoder" not in text and "VectorGraphicsEncoder" not in text, \
                f"{path.relative_to(ROOT)} cell {i}: draw charts with Charts.png / Charts.save"

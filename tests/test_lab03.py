"""Lab 03 (fp16 and bf16 drift): what its prose claims is what its executed cells print.

The worked solution and the learner's lab are executed once each (or read from build/notebooks/ when that copy is
newer than the notebook and the library jar, as test_notebooks.py leaves them), and every claim the prose makes
with a number or a direction is asserted on the outputs, and on the drift.csv the smoke run writes.
"""
import csv
import math
import re

import pytest

from conftest import ROOT

from notebook_runs import executed as _executed

NAME = "03-mp-drift.ipynb"
SMOKE_CSV = ROOT / "build" / "smoke" / "18-mp-drift" / "drift.csv"


def executed(folder):
    return _executed(folder, NAME)


def texts(nb):
    """The text of every execute_result and stream output, in order."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "execute_result":
                text = out.get("data", {}).get("text/plain")
                if text:
                    yield text
            elif out.get("output_type") == "stream":
                yield from out.get("text", "").splitlines()


def line(nb, prefix):
    found = [t for t in texts(nb) if t.startswith(prefix)]
    assert len(found) == 1, f"expected one output starting {prefix!r}, found {found}"
    return found[0]


def prose(nb):
    """The markdown of the notebook, its whitespace collapsed: a claim may break across lines."""
    return " ".join("\n".join(c.source for c in nb.cells if c.cell_type == "markdown").split())


@pytest.fixture(scope="module")
def solution():
    return executed("solutions")


@pytest.fixture(scope="module")
def lab():
    return executed("lab")


def test_the_worked_drift_equals_the_librarys_bit_for_bit(solution):
    text = prose(solution)
    assert "3 + 3 × (number of blocks)" in text
    blocks = int(re.search(r"(\d+) blocks", line(solution, "minigpt-phase18-")).group(1))
    for f in ("fp16", "bf16"):
        check = line(solution, f"correct: myDrift({f}) gives Drift's relative RMS error in {f} ")
        assert f"for all {3 + 3 * blocks} layers (embeddings to logits), bit for bit" in check, check
    assert line(solution, "the plot below shows ") == "the plot below shows your myDrift numbers"
    assert line(solution, "correct: whyBf16 = ") == "correct: whyBf16 = B"


def test_the_unanswered_lab_says_so_and_plots_the_librarys_rows(lab):
    for name in ("myDrift(fp16)", "myDrift(bf16)", "flushLayer and fp16Overflows", "whyBf16"):
        line(lab, f"not answered yet: write {name} in the cell above")
    assert not [t for t in texts(lab) if t.startswith(("correct: ", "not right yet: "))]
    assert line(lab, "not answered yet: the plot below") == "not answered yet: the plot below uses the library's Drift rows"
    images = [o for c in lab.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 2, "the per-layer plot and the library's plot of all precision models"


def test_bf16_errs_several_times_more_than_fp16_and_both_grow_to_the_logits(solution):
    # "bf16's curve sits several times above fp16's at every layer"; option B: "8 times coarser"
    claim = line(solution, "bf16 / fp16 error per layer: ")
    m = re.match(r"bf16 / fp16 error per layer: ([\d.]+) to ([\d.]+); fp16 embeddings ([\d.e+-]+) -> logits "
                 r"([\d.e+-]+); bf16 embeddings ([\d.e+-]+) -> logits ([\d.e+-]+)", claim)
    assert m, claim
    low, high, f_emb, f_log, b_emb, b_log = map(float, m.groups())
    assert 4 < low <= high < 16, claim
    # "start at the embeddings ... and end higher at the logits"
    assert f_log > f_emb and b_log > b_emb, claim
    assert "several times above fp16's at every layer" in prose(solution)


def test_every_op_adds_a_little_and_16_bit_sums_several_times_more(solution):
    claim = line(solution, "mean relative RMS error over the layers: ")
    mean = {k: float(v) for k, v in re.findall(r"(\S+) ([\d.]+e[+-]\d+)", claim)}
    for f in ("fp16", "bf16"):
        boundary, every_op, arith = mean[f], mean[f + "-every-op"], mean[f + "-arith"]
        assert boundary < every_op < 2 * boundary, claim      # "adds a little"
        assert arith > 3 * every_op, claim                     # "several times more"
    text = prose(solution)
    assert "adds a little on top of rounding the boundaries" in text and "adds several times more" in text


def test_the_boundary_model_has_no_overflow_nor_nan_and_bf16_stays_in_range(solution):
    rows = list(csv.DictReader(SMOKE_CSV.open()))
    assert len(rows) == 72
    for r in rows:
        if r["precision"] in ("fp16", "bf16"):
            assert r["overflows"] == "0" and r["nans"] == "0", r   # "the boundary model of this network has none"
        if r["precision"].startswith("bf16"):
            assert r["overflows"] == "0" and r["flushes_to_zero"] == "0", r   # "bf16 has no overflow and no flush"
    claim = line(solution, "largest |value| at any boundary in fp64: ")
    m = re.match(r"largest \|value\| at any boundary in fp64: ([\d.]+) \(at (\S+)\), (\d+) times below 65504; "
                 r"bf16-every-op: (\d+) overflows, (\d+) flushes", claim)
    assert m, claim
    assert float(m.group(1)) < 65504 / 100 and int(m.group(3)) > 100, claim   # "nothing comes near 65504"
    assert m.group(4) == "0" and m.group(5) == "0", claim


def test_fp16_flushes_come_out_of_gelu_in_an_mlp_and_nothing_overflows(solution):
    check = line(solution, "correct: flushLayer and fp16Overflows: ")
    m = re.match(r"correct: flushLayer and fp16Overflows: in fp16-every-op, (\S+) flushes the most values to zero "
                 r"\((\d+) of (\d+)\), and (\d+) values overflow", check)
    assert m, check
    assert m.group(1).endswith(".mlp") and int(m.group(2)) > 0 and m.group(4) == "0", check
    by_op = line(solution, "fp16 flushes by operation: ")
    counts = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", by_op)}
    total = re.search(r"total (\d+), the every-op rows' total (\d+)", by_op)
    assert int(total.group(1)) == int(total.group(2)) == int(m.group(3)) == sum(counts.values()), by_op
    assert max(counts, key=counts.get) == "gelu", by_op   # "They come out of GELU"


def test_gelus_tail_lies_below_half_the_smallest_fp16_subnormal():
    def gelu(x):
        return 0.5 * x * (1 + math.erf(x / math.sqrt(2)))
    half_subnormal = 2.0 ** -25
    assert abs(gelu(-6) - -6e-9) < 0.2e-9 and abs(gelu(-8) - -5e-15) < 0.2e-15   # "GELU(−6) ≈ −6e-9, GELU(−8) ≈ −5e-15"
    assert abs(gelu(-6)) < half_subnormal


def test_the_two_ends_of_the_range(solution):
    table = line(solution, "65504.0    fp16 -> ")
    rows = [r.split() for r in table.splitlines()]
    fp16 = {float(r[0]): float(r[3]) for r in rows}
    bf16 = {float(r[0]): float(r[6]) for r in rows}
    assert fp16[65519] == 65504 and math.isinf(fp16[65520]) and math.isinf(fp16[1e5])
    assert fp16[2e-8] == 0 and fp16[1e-9] == 0 and fp16[6e-8] > 0
    assert all(math.isfinite(v) and v != 0 for v in bf16.values())   # "keeps them all (coarsely)"

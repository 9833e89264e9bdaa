"""Lab 00 (batches and masks): what its prose claims is what its executed cells print.

The worked solution and the learner's lab are executed once each (or read from build/notebooks/ when that copy is
newer than the notebook and the library jar, as test_notebooks.py leaves them), and every claim the prose makes
is asserted on the outputs: the checks' verdicts, the number of batches checked, the padding check, and the
direction of each sentence about the loss without its mask.
"""
import math
import re

import pytest

from notebook_runs import executed as _executed

NAME = "00-batch-and-mask.ipynb"


def executed(folder):
    return _executed(folder, NAME)


def texts(nb):
    """The text/plain result of every code cell, in order."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/plain")
            if out.get("output_type") == "execute_result" and text:
                yield text


def line(nb, prefix):
    found = [t for t in texts(nb) if t.startswith(prefix)]
    assert len(found) == 1, f"expected one output starting {prefix!r}, found {found}"
    return found[0]


def prose(nb):
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


@pytest.fixture(scope="module")
def solution():
    return executed("solutions")


@pytest.fixture(scope="module")
def lab():
    return executed("lab")


def test_the_worked_batch_and_mask_pass_on_the_203_batches_the_prose_describes(solution):
    text = prose(solution)
    assert "203 batches" in text and "200 random draws of 1 to 8" in text
    for name, reference in (("myBatch", "Batch.of"), ("myAttention", "Batch.attentionMask")):
        check = line(solution, f"correct: {name} equals {reference} on 203 batches: ")
        assert "a one-record batch" in check and "the longest record (65 tokens, row 1)" in check, check
        assert "records of equal length" in check and "200 random draws of 1 to 8 records" in check, check
    assert line(solution, "the rest of this lab uses ") == "the rest of this lab uses your myBatch and your myAttention"


def test_the_unanswered_lab_says_so_and_runs_on_the_librarys_batch(lab):
    for name in ("myBatch", "myAttention", "padGraded", "perToken", "unmasked"):
        line(lab, f"not answered yet: write {name} in the cell above")
    assert not [t for t in texts(lab) if t.startswith(("correct: ", "not right yet: "))]
    fallback = line(lab, "the rest of this lab uses ")
    assert fallback == "the rest of this lab uses the library's Batch.of and the library's Batch.attentionMask"


def test_the_mask_chart_is_drawn_and_the_batch_is_as_wide_as_the_prose_says(solution):
    assert "T = 44" in prose(solution)
    assert line(solution, "B = 4, T = 44\n")
    images = [o for c in solution.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 1


def test_padding_changes_neither_the_masked_loss_nor_its_count(solution):
    check = line(solution, "padding check: ")
    widths = [int(w) for w in re.findall(r"T = (\d+)", check)]
    losses = [float(x) for x in re.findall(r"losses ([\d.]+) and ([\d.]+)", check)[0]]
    assert widths[1] > widths[0], check
    assert abs(losses[0] - losses[1]) <= 1e-12, check


def test_what_the_loss_without_its_mask_reports(solution):
    assert line(solution, "correct: padGraded = ") == "correct: padGraded = 43"
    masked = float(line(solution, "correct: perToken = ").split(" = ")[1])
    unmasked = float(line(solution, "correct: unmasked = ").split(" = ")[1])
    claim = line(solution, "without the mask: ")
    m = re.match(r"without the mask: ([\d.]+), ([\d.]+) and ([\d.]+) nats for the same records; "
                 r"with it: ([\d.]+), ([\d.]+) and ([\d.]+); a pad prediction costs ([\d.]+) nats, "
                 r"a uniform guess over the (\d+) tokens", claim)
    assert m, claim
    no_pad, together, wide, masked_alone, masked_together, masked_wide, pad_cost = map(float, m.groups()[:7])
    vocab = int(m.group(8))
    # The checked numbers are the table's "together" row.
    assert abs(together - unmasked) < 1e-4 and abs(masked_together - masked) < 1e-4
    # "with no padding it equals the masked loss"
    assert no_pad == masked_alone
    # "it does not move when the same records get more padding" (the masked loss)
    assert masked_alone == masked_together == masked_wide
    # "it grows with every pad added to the same records" (the unmasked one)
    assert no_pad < together < wide
    # "not nats per character": what it reports is several times what the masked loss reports
    assert together > 3 * masked
    # "each costs more than a uniform guess over the vocabulary"
    assert pad_cost > math.log(vocab)
    text = prose(solution)
    assert "grows" in text and "more than a uniform guess" in text

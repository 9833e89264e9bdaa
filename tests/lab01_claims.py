"""The directions lab 01's "What breaks if..." prose states, read back from an executed notebook's result lines.

WhatBreaksTest (Java) asserts them on the smoke configs; this reads the numbers the notebook itself printed, so
the same claims can be checked on a full-budget run (make phase) too. For tests/test_lab01.py, e.g.:

    from lab01_claims import check_notebook
    check_notebook(executed_solution_path)      # raises AssertionError naming the claim that failed

Usage: python tests/lab01_claims.py EXECUTED.ipynb
"""
import re
import sys

NUM = r"(-?[\d.]+(?:e[-+]?\d+)?)"


def result_lines(nb):
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "execute_result":
                text = out.get("data", {}).get("text/plain", "")
                yield "".join(text) if isinstance(text, list) else text


def dev_points(text):
    """'3.645 at 0, 2.899 at 20' -> {0: 3.645, 20: 2.899}"""
    return {int(s): float(v) for v, s in re.findall(NUM + r" at (\d+)", text)}


def line(lines, prefix):
    found = [l for l in lines if l.startswith(prefix)]
    assert len(found) == 1, f"expected one result line starting {prefix!r}, found {len(found)}"
    return found[0]


def floats(pattern, text):
    m = re.search(pattern, text)
    assert m, f"{pattern!r} not in {text!r}"
    return [float(g) for g in m.groups()]


def check(lines):
    lines = list(lines)

    t = line(lines, "no loss mask: ")
    no_mask_train, real_train, _, no_mask_first, real_first, _, no_mask_end, real_end = floats(
        rf"mean of the last 10 steps\) {NUM} vs {NUM} with the mask; masked dev loss at step (\d+) {NUM} vs {NUM}, "
        rf"after (\d+) steps {NUM} vs {NUM}", t)
    train_gap = real_train - no_mask_train
    assert train_gap > 0.3, f"no loss mask: the train loss is not far lower: {t}"
    assert no_mask_first > real_first, f"no loss mask: not behind at the first evaluation: {t}"
    assert abs(no_mask_end - real_end) < train_gap / 4, f"no loss mask: dev losses not much closer: {t}"

    t = line(lines, "no warmup: ")
    start, cold_max, warm_max, _, cold_dev, warm_dev = floats(
        rf"starting loss {NUM}; highest train loss of steps 1-9 {NUM} vs {NUM} with warmup; "
        rf"dev loss after (\d+) steps {NUM} vs {NUM}", t)
    assert cold_max > start + 0.3 and warm_max < start, f"no warmup: no climb above the start: {t}"
    assert cold_dev > warm_dev + 0.1, f"no warmup: the damage does not last: {t}"

    t = line(lines, "no zero-grad: ")
    broken, real = (dev_points(part) for part in t.split("(all lines: "))
    assert broken.keys() == real.keys() and len(real) >= 3, f"no zero-grad: evaluations differ: {t}"
    assert all(broken[s] > real[s] for s in real if s > 0), f"no zero-grad: dev not higher everywhere: {t}"
    no_zero_norm, real_norm = floats(rf"largest gradient norm {NUM} vs {NUM}", t)
    assert no_zero_norm > real_norm, f"no zero-grad: the norm does not grow: {t}"

    t = line(lines, "no clipping: ")
    _, spike, ordinary, _, no_spike, clipped, unclipped = floats(
        rf"gradient norm at step (\d+) {NUM} \(largest ordinary step {NUM}\); dev loss after (\d+) steps: "
        rf"no spike {NUM}, spike clipped {NUM}, spike not clipped {NUM}", t)
    assert ordinary < 1.5 and spike > 20, f"no clipping: not a spike over ordinary steps: {t}"
    assert abs(clipped - no_spike) < 0.01, f"no clipping: clipping does not undo the spike: {t}"
    assert unclipped > clipped + 0.05, f"no clipping: the unclipped spike does no harm: {t}"

    t = line(lines, "no eval mode: ")
    noisy, real = (dev_points(part) for part in t.split("(evaluation mode: "))
    assert noisy.keys() == real.keys(), f"no eval mode: evaluations differ: {t}"
    assert abs(noisy[0] - real[0]) < 0.01, f"no eval mode: step 0 differs by more than noise: {t}"
    gaps = [noisy[s] - real[s] for s in real if s > 0]
    assert all(g > 0 for g in gaps) and len(set(gaps)) > 1, f"no eval mode: not higher, by varying amounts: {t}"
    assert t.endswith("train losses equal: true"), f"no eval mode: training changed: {t}"

    t = line(lines, "mean of means: ")
    n0, n1 = floats(r"micro-batches hold (\d+) and (\d+) targets", t)
    assert n0 != n1, f"mean of means: micro-batches of equal length: {t}"
    _, loop, means = floats(rf"after (\d+) steps: one denominator {NUM}, mean of means {NUM}", t)
    assert loop < 1e-9, f"mean of means: one denominator is not the one-batch step: {t}"
    assert means > 1e-3, f"mean of means: does not drift from the one-batch step: {t}"
    one_batch, one_denominator, mean_of_means = floats(
        rf"dev loss {NUM} \(one batch\), {NUM} \(one denominator\), {NUM} \(mean of means\)", t)
    assert abs(mean_of_means - one_denominator) < 0.05, f"mean of means: dev losses not close: {t}"


def check_notebook(path):
    import json
    with open(path) as f:
        check(result_lines(json.load(f)))


if __name__ == "__main__":
    for p in sys.argv[1:]:
        check_notebook(p)
        print(f"{p}: every direction the prose states holds")

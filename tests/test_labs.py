"""Each learner's lab is generated from its worked solution (nbgrader's ClearSolutions), and the committed lab
is exactly what its solution gives: the two cannot drift apart."""
import importlib.machinery
import importlib.util
import subprocess
import sys

import nbformat

from conftest import ROOT

_loader = importlib.machinery.SourceFileLoader("kit_labs", str(ROOT / "bin" / "labs"))
_spec = importlib.util.spec_from_loader("kit_labs", _loader)
labs = importlib.util.module_from_spec(_spec)
_loader.exec_module(labs)

LEARNER_WRITES = {"00-batch-and-mask.ipynb", "01-train-mini.ipynb", "02-checkpoint-roundtrip.ipynb", "03-mp-drift.ipynb"}


def test_the_loop_labs_are_generated_from_their_solutions():
    assert LEARNER_WRITES <= {p.name for p in labs.sources()}


def test_committed_labs_are_what_their_solutions_generate():
    r = subprocess.run([sys.executable, str(ROOT / "bin" / "labs"), "check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_a_generated_lab_keeps_the_scaffold_and_drops_every_answer():
    for source in labs.sources():
        lab = nbformat.reads(labs.generate(source), as_version=4)
        text = "\n".join(c.source for c in lab.cells)
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, source.name
        assert "// YOUR CODE HERE" in text, source.name
        assert not any(c.get("outputs") for c in lab.cells if c.cell_type == "code"), source.name
        assert "solution-only" not in str([c.metadata for c in lab.cells]), source.name


def test_a_lab_that_differs_from_its_solution_is_caught():
    source = labs.sources()[0]
    shipped_answer = source.read_text(encoding="utf-8")  # the worked notebook itself, answers and all
    assert labs.generate(source) != shipped_answer

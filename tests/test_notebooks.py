"""Every notebook (theory, lab, solutions) runs headless on the JJava kernel without an error.

Executed copies go to build/notebooks/ so the committed sources stay without outputs. Training notebooks
read KIT_SMOKE=1 (set by `make test`) and use a short budget.
"""
import importlib.machinery
import importlib.util
import json

import pytest

from conftest import ROOT

_loader = importlib.machinery.SourceFileLoader("kit_notebooks", str(ROOT / "bin" / "notebooks"))
_spec = importlib.util.spec_from_loader("kit_notebooks", _loader)
runner = importlib.util.module_from_spec(_spec)
_loader.exec_module(runner)

OUT = ROOT / "build" / "notebooks"
ALL = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def outputs(nb, output_type=None, mime=None):
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if output_type and out.get("output_type") != output_type:
                continue
            if mime and mime not in out.get("data", {}):
                continue
            yield out


@pytest.mark.parametrize("path", ALL, ids=[str(p.relative_to(ROOT / "notebooks")) for p in ALL])
def test_notebook_runs_without_error(path):
    try:
        nb, seconds = runner.execute(path, OUT)
    except runner.NotebookFailed as e:
        pytest.fail(str(e), pytrace=False)
    assert not list(outputs(nb, "error")), f"{path.name} has error outputs"
    print(f"{path.relative_to(ROOT)} ran in {seconds:.1f} s")


def test_committed_notebooks_carry_no_outputs():
    for path in ALL:
        nb = json.loads(path.read_text())
        for i, cell in enumerate(nb["cells"]):
            assert not cell.get("outputs"), f"{path.name}: cell {i} has committed outputs"


def test_first_code_cell_loads_the_library_in_one_line():
    for path in ALL:
        nb = json.loads(path.read_text())
        first = next(c for c in nb["cells"] if c["cell_type"] == "code")
        src = "".join(first["source"]).strip()
        assert src == "%classpath ../../lib/target/jars/*.jar", f"{path.name}: first code cell is {src!r}"


def test_motivation_shows_a_chart_inline():
    path = ROOT / "notebooks" / "theory" / "00-motivation.ipynb"
    executed = OUT / "theory" / "00-motivation.ipynb"
    if not executed.exists():
        runner.execute(path, OUT)
    import nbformat
    nb = nbformat.read(executed, as_version=4)
    assert list(outputs(nb, mime="image/png")), "no image/png output: the chart did not render inline"


def checks(nb):
    """The text of every Exercise.check result in an executed notebook."""
    for out in outputs(nb, "execute_result"):
        text = out.get("data", {}).get("text/plain", "")
        if text.startswith(("correct: ", "not answered yet: ", "not right yet: ")):
            yield text


def test_every_exercise_has_a_worked_solution_whose_check_passes():
    import nbformat
    for lab in sorted((ROOT / "notebooks" / "lab").glob("*.ipynb")):
        solution = ROOT / "notebooks" / "solutions" / lab.name
        assert solution.exists(), f"no solutions/{lab.name}"
        executed_lab, executed_solution = OUT / "lab" / lab.name, OUT / "solutions" / lab.name
        for source, executed in ((lab, executed_lab), (solution, executed_solution)):
            if not executed.exists():
                runner.execute(source, OUT)
        asked = list(checks(nbformat.read(executed_lab, as_version=4)))
        answered = list(checks(nbformat.read(executed_solution, as_version=4)))
        assert asked and all(t.startswith("not answered yet") for t in asked), f"{lab.name} ships an answer: {asked}"
        assert len(answered) >= len(asked) and all(t.startswith("correct: ") for t in answered), f"{solution.name}: {answered}"


def test_startup_prints_the_seconds_a_learner_waits():
    # Reported, not asserted: the figures exist and come in the order they happen.
    import re
    import subprocess
    import sys
    r = subprocess.run([sys.executable, str(ROOT / "bin" / "notebooks"), "startup"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    line = next(l for l in r.stdout.splitlines() if l.startswith("startup "))
    marks = [float(v) for v in re.findall(r"_s=([\d.]+)", line)]
    assert len(marks) == 4 and marks == sorted(marks) and marks[0] > 0, line


def test_the_notebook_loop_publishes_what_the_command_line_publishes(tmp_path):
    """Lab 01's worked loop, the lab's fallback to the library loop and `bin/minitrain train` on the same (smoke)
    config publish the same file name, the first 12 hex digits of its sha256: the same bytes."""
    import re
    import nbformat
    from conftest import minitrain
    published = {}
    for folder in ("solutions", "lab"):
        executed = OUT / folder / "01-train-mini.ipynb"
        if not executed.exists():
            runner.execute(ROOT / "notebooks" / folder / "01-train-mini.ipynb", OUT)
        text = "\n".join(out.get("data", {}).get("text/plain", "")
                         for out in outputs(nbformat.read(executed, as_version=4), "execute_result"))
        trained = re.search(r"trained by (your loop|the library's loop)[^;]*; published (minigpt-phase18-\w+)", text)
        assert trained, f"{folder}/01-train-mini: no publication line"
        published[folder] = trained.groups()
    assert published["solutions"][0] == "your loop", "the worked solution must train with the notebook's loop"
    assert published["lab"][0] == "the library's loop", "the unanswered lab falls back to the library's loop"
    r = minitrain("train", "--config", ROOT / "build" / "smoke" / "smoke-config.json", "--run-dir", tmp_path / "run",
                  "--models", tmp_path / "models")
    assert r.returncode == 0, r.stderr
    cli = re.search(r"published \S*?(minigpt-phase18-\w+)", r.stdout).group(1)
    assert published["solutions"][1] == published["lab"][1] == cli, (published, cli)


def test_lab01_what_breaks_prose_agrees_with_its_numbers():
    """Each direction the "what breaks if..." paragraphs state holds in the numbers the notebook printed."""
    from lab01_claims import check_notebook
    for folder in ("solutions", "lab"):
        executed = OUT / folder / "01-train-mini.ipynb"
        if not executed.exists():
            runner.execute(ROOT / "notebooks" / folder / "01-train-mini.ipynb", OUT)
        check_notebook(executed)

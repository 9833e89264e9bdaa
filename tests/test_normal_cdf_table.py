"""GELU's table of Phi (autograd.NormalCdfTable) is what bin/fit-normal-cdf writes, and the script's check fails
when a coefficient is off: the accuracy NormalCdf's comment states is measured, not assumed."""
import importlib.machinery
import importlib.util
import subprocess
import sys

from conftest import ROOT

_loader = importlib.machinery.SourceFileLoader("kit_fit_normal_cdf", str(ROOT / "bin" / "fit-normal-cdf"))
_spec = importlib.util.spec_from_loader("kit_fit_normal_cdf", _loader)
fit = importlib.util.module_from_spec(_spec)
_loader.exec_module(fit)


def test_committed_table_is_what_the_script_writes_and_within_its_bounds():
    r = subprocess.run([sys.executable, str(ROOT / "bin" / "fit-normal-cdf"), "check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "absolute: " in r.stdout and "relative where Q > 1e-6: " in r.stdout


def test_one_coefficient_off_by_a_millionth_breaks_the_bound():
    rows = fit.table()
    assert all(v <= fit.BOUNDS[k] for k, v in fit.errors(rows).items())
    rows[20] = list(rows[20])
    rows[20][3] *= 1 + 1e-6
    worst = fit.errors(rows)
    assert worst["absolute"] > fit.BOUNDS["absolute"], worst

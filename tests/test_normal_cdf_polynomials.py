"""GELU's polynomials for Phi (autograd.NormalCdfPolynomials) are what bin/fit-normal-cdf writes, and the script's
check fails when a coefficient is off: the accuracy NormalCdf's comment states is measured, not assumed."""
import importlib.machinery
import importlib.util
import subprocess
import sys

from conftest import ROOT

_loader = importlib.machinery.SourceFileLoader("kit_fit_normal_cdf", str(ROOT / "bin" / "fit-normal-cdf"))
_spec = importlib.util.spec_from_loader("kit_fit_normal_cdf", _loader)
fit = importlib.util.module_from_spec(_spec)
_loader.exec_module(fit)


def test_committed_polynomials_are_what_the_script_writes_and_within_their_bounds():
    r = subprocess.run([sys.executable, str(ROOT / "bin" / "fit-normal-cdf"), "check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "absolute: " in r.stdout and "relative where Q > 1e-6: " in r.stdout and "density, relative: " in r.stdout


def test_phi_of_zero_is_exactly_one_half():
    assert fit.tail_and_density(fit.coefficients(), 0.0)[0] == 0.5


def test_one_coefficient_off_by_a_millionth_breaks_the_bound():
    c = fit.coefficients()
    assert all(v <= fit.BOUNDS[k] for k, v in fit.errors(c).items())
    c[12] *= 1 + 1e-6
    worst = fit.errors(c)
    assert worst["absolute"] > fit.BOUNDS["absolute"], worst


def test_the_exp_is_what_the_tail_stands_on():
    # e^m's series one term short: the density (nothing but the exp) leaves its bound
    full = fit.EXP
    try:
        fit.EXP = full[:-1]
        assert fit.errors(fit.coefficients())["density, relative"] > fit.BOUNDS["density, relative"]
    finally:
        fit.EXP = full

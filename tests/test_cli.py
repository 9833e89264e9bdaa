"""The command line's front door: help, version, and a one-line error for a mistyped command."""
from conftest import minitrain


def test_help_lists_commands():
    r = minitrain("--help")
    assert r.returncode == 0, r.stderr
    assert "Usage: minitrain" in r.stdout and "Commands:" in r.stdout


def test_version():
    r = minitrain("--version")
    assert r.returncode == 0 and r.stdout.startswith("minitrain ")


def test_unknown_command_is_one_line_error():
    r = minitrain("nosuchcommand")
    assert r.returncode != 0
    lines = [l for l in r.stderr.splitlines() if l.strip() and not l.startswith("minitrain: building")]
    assert len(lines) == 1, r.stderr
    assert "nosuchcommand" in lines[0]

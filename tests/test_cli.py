"""The command line's front door: help, version, and a one-line error for a mistyped command."""
import subprocess

from conftest import ROOT, minitrain


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


def test_bench_prints_one_line_per_config_with_every_figure():
    # Figures are reported, never asserted: this checks the line's form and that the counts are counted.
    r = minitrain("bench", "--config", "d64-l2", "--warmup", "1", "--steps", "2")
    assert r.returncode == 0, r.stderr
    line = next(l for l in r.stdout.splitlines() if l.startswith("bench d64-l2 "))
    fields = dict(kv.split("=", 1) for kv in line.split()[2:])
    for key in ("ms_per_step", "tokens_per_s", "gflops", "ops_per_step", "alloc_mb_per_step", "peak_rss_mb", "pass_mb"):
        assert key in fields and float(fields[key]) > 0, (key, line)
    assert int(fields["params"]) == 106624 and int(fields["warmup"]) == 1
    # The mode and kernels the products ran with are the ones bin/blas-env chose for this environment.
    chosen = dict(l.split("=", 1) for l in subprocess.run([str(ROOT / "bin" / "blas-env")], capture_output=True,
                                                            text=True, check=True).stdout.split())
    assert fields["blas_mode"] == chosen["MINITRAIN_BLAS"], line
    assert fields["blas_coretype"] == chosen.get("OPENBLAS_CORETYPE", "auto"), line


def test_bench_checkpoint_prints_save_and_load_speed():
    r = minitrain("bench", "--config", "checkpoint")
    assert r.returncode == 0, r.stderr
    line = next(l for l in r.stdout.splitlines() if l.startswith("bench checkpoint "))
    fields = dict(kv.split("=", 1) for kv in line.split()[2:])
    assert 8 < float(fields["mb"]) < 9 and 90 < float(fields["big_mb"]) < 110, line   # the shipped run's checkpoint, and 12 of it
    assert all(float(fields[k]) > 0 for k in ("save_mb_per_s", "load_mb_per_s", "big_save_mb_per_s", "big_load_mb_per_s")), line


def test_eval_reads_a_model_file_without_its_manifest(tmp_path):
    """The model file carries its config and vocabulary: copied without its manifest it evaluates the same."""
    published = sorted((ROOT / "models").glob("minigpt-phase18-*.safetensors"))[-1]
    with_manifest = minitrain("eval", published, "--split", "dev")
    assert with_manifest.returncode == 0, with_manifest.stderr
    alone = tmp_path / published.name
    alone.write_bytes(published.read_bytes())
    copied = minitrain("eval", alone, "--split", "dev")
    assert copied.returncode == 0, copied.stderr
    assert copied.stdout == with_manifest.stdout
    assert copied.stdout.startswith("dev perplexity ")

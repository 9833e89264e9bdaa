"""`minitrain drift MODEL` writes the table, the plot and a record of what it measured; the report refuses drift
files that belong to another model (left from an earlier run, they would describe a different network)."""
import csv
import json
import re

from conftest import ROOT, minitrain

SHIPPED = sorted((ROOT / "models").glob("minigpt-phase18-*.safetensors"))[0]


def test_drift_writes_csv_plot_and_the_model_it_measured(tmp_path):
    r = minitrain("drift", SHIPPED, "--records", "16", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    for name in ("drift.csv", "drift.json", "drift.png", "drift.svg"):
        assert (tmp_path / name).stat().st_size > 0, name
    record = json.loads((tmp_path / "drift.json").read_text())
    manifest = json.loads(SHIPPED.with_suffix(".json").read_text())
    assert record["model"] == SHIPPED.name and record["model_sha256"] == manifest["sha256"]
    assert record["sample"].startswith("the first 16 val records") and set(record["loss_nats_and_ppl"]) >= {"fp64", "fp16", "bf16"}
    rows = list(csv.DictReader((tmp_path / "drift.csv").open()))
    layers = 1 + 3 * manifest["config"]["n_layer"] + 2          # embeddings, attn/mlp/residual per block, ln_f, logits
    models = {"fp16", "bf16", "fp16-every-op", "bf16-every-op", "fp16-arith", "bf16-arith"}
    assert len(rows) == len(models) * layers and {row["precision"] for row in rows} == models


def test_report_refuses_drift_files_of_another_model(tmp_path):
    config = tmp_path / "tiny.json"
    config.write_text(json.dumps({"n_layer": 1, "n_embd": 16, "n_head": 2, "max_steps": 3, "warmup_steps": 1,
                                  "eval_every": 100, "ckpt_every": 100, "batch_size": 4, "seed": 3}))
    models = tmp_path / "models"
    trained = minitrain("train", "--config", config, "--run-dir", tmp_path / "run", "--models", models)
    assert trained.returncode == 0, trained.stderr
    r = minitrain("report", "--models", models, "--notebooks", tmp_path / "none", "--out", tmp_path / "REPORT.md")
    assert r.returncode == 1
    drift = next(line for line in (tmp_path / "REPORT.md").read_text().splitlines() if "The drift plot is exported" in line)
    assert drift.startswith("- [ ]") and "not the published one" in drift, drift
    assert re.search(r"drift\.json names model [0-9a-f]{12}", drift), drift

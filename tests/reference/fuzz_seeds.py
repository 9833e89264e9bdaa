"""Writes the fuzzers' seed corpus: lib/src/test/resources/minitrain/fuzz/{safetensors,jsonl}/.

Standard library only, so the seeds can be regenerated anywhere: python3 tests/reference/fuzz_seeds.py
Names say what the reader must do: ok-* parses, bad-* is a one-line KitError naming the file, and any-*
may do either (the format allows it, the kit may refuse it). The fuzzers mutate all of them.
"""
import json
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "lib/src/test/resources/minitrain/fuzz"


def st(header, data=b"", length=None):
    """A safetensors file from a header (dict or raw bytes/str) and data bytes; length overrides N."""
    if isinstance(header, dict):
        h = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    elif isinstance(header, str):
        h = header.encode()
    else:
        h = header
    return struct.pack("<Q", len(h) if length is None else length) + h + data


def t(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


F32_2 = struct.pack("<2f", 1.5, -2.0)
F64_3 = struct.pack("<3d", 3.25, 0.0, -1e300)
SMALL = {"a": t("F32", [2], 0, 8), "b": t("F64", [3, 1], 8, 32), "__metadata__": {"step": "7", "note": "ñ"}}

SAFETENSORS = {
    "ok-small": st(SMALL, F32_2 + F64_3),
    "ok-header-only": st({}),
    "ok-empty-tensor": st({"e": t("F64", [0], 0, 0), "x": t("F32", [2], 0, 8)}, F32_2),
    "ok-scalar": st({"s": t("I64", [], 0, 8)}, struct.pack("<q", -5)),
    "ok-all-dtypes": st({"d": t("F64", [1], 0, 8), "f": t("F32", [1], 8, 12), "h": t("F16", [1], 12, 14),
                         "b": t("BF16", [1], 14, 16), "l": t("I64", [1], 16, 24), "i": t("I32", [1], 24, 28)},
                        bytes(range(28))),
    "ok-padded-header": st(json.dumps(SMALL) + "        ", F32_2 + F64_3),
    "any-rank-40": st({"r": t("F32", [1] * 40, 0, 4)}, b"\0\0\x80?"),
    "any-zero-dim-huge": st({"z": t("F32", [0, 2 ** 62], 0, 0)}),
    "bad-too-short": b"\x05\0\0\0\0",
    "bad-truncated-header": st(SMALL, F32_2 + F64_3)[:40],
    "bad-huge-header-length": st(SMALL, F32_2 + F64_3, length=2 ** 62),
    "bad-negative-header-length": st(SMALL, F32_2 + F64_3, length=2 ** 63 + 5),
    "bad-offsets-past-end": st({"a": t("F32", [2], 0, 8), "b": t("F64", [3, 1], 8, 32)}, F32_2 + F64_3[:8]),
    "bad-offsets-huge": st({"a": t("F32", [2], 2 ** 62, 2 ** 62 + 8)}, F32_2),
    "bad-offsets-overflow": st('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,100000000000000000000000]}}', F32_2),
    "bad-offsets-float": st('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0.0,8.5]}}', F32_2),
    "bad-overlap": st({"a": t("F32", [2], 0, 8), "b": t("F32", [2], 4, 12)}, F32_2 + F32_2[:4]),
    "bad-hole": st({"a": t("F32", [1], 0, 4), "b": t("F32", [1], 8, 12)}, F32_2 + F32_2[:4]),
    "bad-trailing-bytes": st({"a": t("F32", [2], 0, 8)}, F32_2 + b"junk"),
    "bad-wrong-dtype": st({"a": t("float32", [2], 0, 8)}, F32_2),
    "bad-dtype-not-string": st({"a": t(4, [2], 0, 8)}, F32_2),
    "bad-shape-mismatch": st({"a": t("F32", [3], 0, 8)}, F32_2),
    "bad-shape-negative": st({"a": t("F32", [-2], 0, 8)}, F32_2),
    "bad-shape-overflow": st({"a": t("F32", [2 ** 40, 2 ** 40], 0, 8)}, F32_2),
    "bad-missing-offsets": st({"a": {"dtype": "F32", "shape": [2]}}, F32_2),
    "bad-non-utf8-header": st(b'{"a\xff":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', F32_2),
    "bad-not-json": st("{not json", F32_2),
    "bad-header-not-object": st("[1,2]"),
    "bad-duplicate-name": st('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
                             '"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', F32_2),
    "bad-metadata-not-string": st({"__metadata__": {"step": 7}}),
    "bad-deep-nesting": st('{"__metadata__":' + "[" * 5000 + "]" * 5000 + "}"),
    "bad-newline-in-name": st({"line\nbreak": t("F32", [3], 0, 8)}, F32_2),
}

GOOD = {"en": "I walk", "es": "yo camino", "id": "walk.present.1sg", "person": "1sg", "split": "train",
        "tense": "present", "text": "I walk → yo camino", "verb": "walk", "verb_es": "caminar"}


def rec(**changes):
    r = dict(GOOD, **changes)
    return json.dumps({k: v for k, v in r.items() if v is not None}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))


def lines(*ls, end="\n"):
    return (end.join(ls) + end).encode()


JSONL = {
    "ok-shard": lines(rec(), rec(id="walk.present.2sg", person="2sg", en="you walk", es="tú caminas",
                                 text="you walk → tú caminas", split="dev"),
                      rec(id="walk.preterite.1pl", tense="preterite", person="1pl", en="we walked", es="nosotros caminamos",
                          text="we walked → nosotros caminamos", split="val")),
    "ok-crlf": lines(rec(), rec(id="x2"), end="\r\n"),
    "ok-no-final-newline": lines(rec(), rec(id="x2"))[:-1],
    "ok-empty-file": b"",
    "bad-bom": b"\xef\xbb\xbf" + lines(rec()),
    "bad-empty-line": lines(rec(), "", rec(id="x2")),
    "bad-blank-line": lines(rec(), "   ", rec(id="x2")),
    "bad-missing-field": lines(rec(), rec(id="x2", verb_es=None)),
    "bad-wrong-type": lines(rec(tense=3)),
    "bad-null-field": lines(rec().replace('"present"', "null")),
    "bad-unknown-tense": lines(rec(tense="future perfect")),
    "bad-non-utf8": lines(rec()) + b'{"id":"\xc3\x28"}\n',
    "bad-truncated-line": lines(rec(), rec(id="x2")[:40]),
    "bad-not-object": lines("[1,2,3]"),
    "bad-two-objects-on-a-line": lines(rec() + rec(id="x2")),
    "bad-trailing-garbage": lines(rec() + " x"),
    "bad-duplicate-key": lines(rec()[:-1] + ',"id":"other"}'),
    "bad-deep-nesting": lines('{"id":' + "[" * 3000 + "]" * 3000 + "}"),
    "bad-newline-in-value": lines(rec(tense="pre\nsent")),
}


def main():
    for sub, files, ext in (("safetensors", SAFETENSORS, ".safetensors"), ("jsonl", JSONL, ".jsonl")):
        d = OUT / sub
        d.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (d / (name + ext)).write_bytes(data)
    print(f"wrote {len(SAFETENSORS)} safetensors and {len(JSONL)} jsonl seeds under {OUT}")


if __name__ == "__main__":
    main()

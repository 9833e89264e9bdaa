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
A = '"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}'
ENTRY = '{"a":{"dtype":"F32","shape":%s,"data_offsets":%s}}'  # a header with one tensor: shape, data_offsets
ENTRY_WITH = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]%s}}'  # ... and more keys in its entry

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
    "bad-metadata-not-string": st({"__metadata__": {"step": 7}}),
    "bad-deep-nesting": st('{"__metadata__":' + "[" * 5000 + "]" * 5000 + "}"),
    "bad-newline-in-name": st({"line\nbreak": t("F32", [3], 0, 8)}, F32_2),
    # The header's JSON as the reference reader (Python's safetensors: Rust serde_json) reads it; each seed below
    # was judged by it. Strings must be valid Unicode after unescaping: a surrogate only as a high-low pair.
    "bad-unpaired-surrogate-escaped": st(r'{"__metadata__":{"note":"\ud800"}}'),
    "bad-unpaired-surrogate-low": st(r'{"__metadata__":{"note":"\udc00"}}'),
    "bad-unpaired-surrogate-then-char": st(r'{"__metadata__":{"note":"\ud800\u0041"}}'),
    "bad-unpaired-surrogate-reversed": st(r'{"__metadata__":{"note":"\ude00\ud83d"}}'),
    "bad-unpaired-surrogate-in-name": st(r'{"\ud800":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', F32_2),
    "bad-unpaired-surrogate-in-ignored-key": st(ENTRY_WITH % r',"note":"\udfff"', F32_2),
    "bad-unpaired-surrogate-raw": st(b'{"__metadata__":{"note":"\xed\xa0\x80"}}'),
    "ok-surrogate-pair": st(r'{"__metadata__":{"note":"\ud83d\ude00 \uD83D\uDE00"}}'),
    "ok-escapes": st('{"__metadata__":{"note":"\\/\\u0000\\u00E9\\b\\f\\t\x7f"}}'),
    "bad-control-char-in-string": st('{"__metadata__":{"note":"tab\there"}}'),
    "bad-invalid-escape": st(r'{"__metadata__":{"note":"\x41"}}'),
    # Numbers: a dimension or offset is an integer 0..2^64-1 without fraction or exponent; -0 is a float.
    "bad-shape-float": st(ENTRY % ("[2.0]", "[0,8]"), F32_2),
    "bad-shape-exponent": st(ENTRY % ("[2e0]", "[0,8]"), F32_2),
    "bad-shape-leading-zero": st(ENTRY % ("[02]", "[0,8]"), F32_2),
    "bad-shape-minus-zero": st(ENTRY % ("[-0]", "[0,0]")),
    "bad-offsets-minus-zero": st(ENTRY % ("[2]", "[-0,8]"), F32_2),
    "bad-shape-above-u64": st(ENTRY % ("[18446744073709551616,0]", "[0,0]")),
    "ok-zero-elements-unsigned-product": st(ENTRY % ("[4611686018427387904,2,0]", "[0,0]")),
    "bad-shape-overflow-before-zero": st(ENTRY % ("[1099511627776,1099511627776,0]", "[0,0]")),
    # Any number must be finite as serde_json computes a double (so 1.7976931348623158e308 is refused).
    "bad-number-too-large": st(ENTRY_WITH % ',"scale":1e400', F32_2),
    "bad-number-long-integer-too-large": st(ENTRY_WITH % (',"scale":' + "9" * 400), F32_2),
    "bad-number-rounds-to-infinity": st(ENTRY_WITH % ',"scale":1.7976931348623158e308', F32_2),
    "bad-number-exponent-overflow": st(ENTRY_WITH % ',"scale":1e99999999999', F32_2),
    "ok-number-largest": st(ENTRY_WITH % ',"scale":1.7976931348623157e308', F32_2),
    "ok-number-underflows-to-zero": st(ENTRY_WITH % ',"scale":[1e-400,-1e-99999999999,0e99999999999]', F32_2),
    "ok-number-long-fraction": st(ENTRY_WITH % (',"scale":0.' + "0" * 1500 + "1"), F32_2),
    "ok-number-kinds": st(ENTRY_WITH % ',"scale":[-1.5e-3,0,-0,12345678901234567890123,true,false,null]', F32_2),
    # Repeats: a map keeps the last value; a struct field may appear once.
    "ok-duplicate-name": st('{%s,%s}' % (A, A), F32_2),
    "ok-duplicate-name-last-wins": st('{"a":{"dtype":"F64","shape":[3],"data_offsets":[0,24]},%s}' % A, F32_2),
    "bad-duplicate-name-last-is-wrong": st('{%s,"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}' % A, F32_2),
    "bad-duplicate-name-first-unknown-dtype": st('{"a":{"dtype":"X","shape":[2],"data_offsets":[0,8]},%s}' % A, F32_2),
    "bad-duplicate-field": st(ENTRY_WITH % ',"dtype":"F32"', F32_2),
    "ok-duplicate-ignored-key": st(ENTRY_WITH % ',"note":1,"note":2', F32_2),
    "bad-duplicate-metadata": st('{"__metadata__":{},"__metadata__":{}}'),
    "bad-duplicate-metadata-escaped": st(r'{"\u005f_metadata__":{},"__metadata__":{}}'),
    "ok-duplicate-metadata-key": st('{"__metadata__":{"step":"1","step":"2"}}'),
    # Nesting: serde_json allows 127 levels of lists and objects, the header's own object included.
    "ok-nesting-127": st(ENTRY_WITH % (',"note":' + "[" * 125 + "]" * 125), F32_2),
    "bad-nesting-128": st(ENTRY_WITH % (',"note":' + "[" * 126 + "]" * 126), F32_2),
    "bad-nesting-128-objects": st(ENTRY_WITH % (',"note":' + '{"n":' * 125 + "{}" + "}" * 125), F32_2),
    # What may surround the object: JSON whitespace (space, tab, CR, LF) only, no BOM.
    "ok-leading-whitespace": st(" \n\t\r" + json.dumps(SMALL), F32_2 + F64_3),
    "ok-trailing-whitespace": st(json.dumps(SMALL) + " \t\r\n", F32_2 + F64_3),
    "ok-whitespace-inside": st('{ "__metadata__" :\t{ "k" :\r\n"v" } }'),
    "bad-bom": st(b"\xef\xbb\xbf" + json.dumps(SMALL).encode(), F32_2 + F64_3),
    "bad-trailing-nul-padding": st(json.dumps(SMALL).encode() + b"\0\0\0", F32_2 + F64_3),
    "bad-trailing-form-feed": st(json.dumps(SMALL) + "\f", F32_2 + F64_3),
    "bad-trailing-text": st(json.dumps(SMALL) + " x", F32_2 + F64_3),
    "bad-trailing-second-object": st(json.dumps(SMALL) + "{}", F32_2 + F64_3),
    "bad-trailing-comma": st('{"__metadata__":{"k":"v"},}'),
    # __metadata__: anywhere, null means none, values strings only.
    "ok-metadata-first": st('{"__metadata__":{"k":"v"},%s}' % A, F32_2),
    "ok-metadata-null": st('{"__metadata__":null,%s}' % A, F32_2),
    "ok-metadata-escaped-key": st(r'{"\u005f_metadata__":{"k":"v"}}'),
    "bad-metadata-null-value": st('{"__metadata__":{"k":null}}'),
    "bad-metadata-object-value": st('{"__metadata__":{"k":{}}}'),
    "bad-metadata-list": st('{"__metadata__":[]}'),
    # A tensor entry: other keys ignored, or the list [dtype, shape, data_offsets]; a dtype also as {"F32": null}.
    "ok-entry-extra-keys": st(ENTRY_WITH % ',"note":{"any":["json",1,null]}', F32_2),
    "ok-entry-as-list": st('{"a":["F32",[2],[0,8]]}', F32_2),
    "bad-entry-as-list-too-long": st('{"a":["F32",[2],[0,8],0]}', F32_2),
    "ok-dtype-as-object": st('{"a":{"dtype":{"F32":null},"shape":[2],"data_offsets":[0,8]}}', F32_2),
    "bad-dtype-as-object-not-null": st('{"a":{"dtype":{"F32":{}},"shape":[2],"data_offsets":[0,8]}}', F32_2),
    "bad-offsets-three": st(ENTRY % ("[2]", "[0,8,8]"), F32_2),
    # Names: any valid string, of any length (a JSON library's default limit of 50,000 characters is not the
    # reference's).
    "ok-empty-name": st('{"":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', F32_2),
    "ok-long-name": st({"n" * 50_001: t("F32", [2], 0, 8)}, F32_2),
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
        for stale in d.glob("*" + ext):  # a seed renamed or dropped here must not linger in the corpus
            if stale.name[: -len(ext)] not in files:
                stale.unlink()
        for name, data in files.items():
            (d / (name + ext)).write_bytes(data)
    print(f"wrote {len(SAFETENSORS)} safetensors and {len(JSONL)} jsonl seeds under {OUT}")


if __name__ == "__main__":
    main()

"""An independent NumPy fp64 forward pass of MiniGPT (nanoGPT's GPT), written from the math, not from the
Java code. It draws a tiny model's weights and an input from NumPy's own seeded generator and writes them
with the logits and the loss as a JSON fixture; the Java test loads the weights into the Java model
(MiniGPTTest.forwardMatchesTheNumpyReference) and checks that both agree to 1e-12.

    python tests/reference/minigpt_reference.py lib/src/test/resources/minitrain/model/reference.json
"""
import json
import math
import sys

import numpy as np

CFG = dict(n_layer=2, n_head=2, n_embd=8, block_size=6, vocab_size=7, dropout=0.0)
PAD = 0


def layer_norm(x, w, b, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def gelu(x):
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def forward(W, idx, real):
    B, T = idx.shape
    C, H = CFG["n_embd"], CFG["n_head"]
    D = C // H
    x = W["transformer.wte.weight"][idx] + W["transformer.wpe.weight"][:T]
    for i in range(CFG["n_layer"]):
        p = f"transformer.h.{i}."
        h = layer_norm(x, W[p + "ln_1.weight"], W[p + "ln_1.bias"])
        qkv = h @ W[p + "attn.c_attn.weight"].T + W[p + "attn.c_attn.bias"]
        q, k, v = np.split(qkv, 3, axis=-1)
        q, k, v = (a.reshape(B, T, H, D).transpose(0, 2, 1, 3) for a in (q, k, v))
        att = q @ k.transpose(0, 1, 3, 2) / math.sqrt(D)
        allowed = np.tril(np.ones((T, T), dtype=bool))[None, None] & real[:, None, None, :]
        att = np.where(allowed, att, -np.inf)
        att = np.exp(att - att.max(-1, keepdims=True))
        att = att / att.sum(-1, keepdims=True)
        y = (att @ v).transpose(0, 2, 1, 3).reshape(B, T, C)
        x = x + y @ W[p + "attn.c_proj.weight"].T + W[p + "attn.c_proj.bias"]
        h = layer_norm(x, W[p + "ln_2.weight"], W[p + "ln_2.bias"])
        h = gelu(h @ W[p + "mlp.c_fc.weight"].T + W[p + "mlp.c_fc.bias"])
        x = x + h @ W[p + "mlp.c_proj.weight"].T + W[p + "mlp.c_proj.bias"]
    x = layer_norm(x, W["transformer.ln_f.weight"], W["transformer.ln_f.bias"])
    return x @ W["transformer.wte.weight"].T


def main(out):
    rng = np.random.default_rng(20241118)
    C, V, L, T = CFG["n_embd"], CFG["vocab_size"], CFG["n_layer"], CFG["block_size"]
    shapes = {"transformer.wte.weight": (V, C), "transformer.wpe.weight": (T, C)}
    for i in range(L):
        p = f"transformer.h.{i}."
        shapes.update({p + "ln_1.weight": (C,), p + "ln_1.bias": (C,), p + "attn.c_attn.weight": (3 * C, C),
                       p + "attn.c_attn.bias": (3 * C,), p + "attn.c_proj.weight": (C, C), p + "attn.c_proj.bias": (C,),
                       p + "ln_2.weight": (C,), p + "ln_2.bias": (C,), p + "mlp.c_fc.weight": (4 * C, C),
                       p + "mlp.c_fc.bias": (4 * C,), p + "mlp.c_proj.weight": (C, 4 * C), p + "mlp.c_proj.bias": (C,)})
    shapes.update({"transformer.ln_f.weight": (C,), "transformer.ln_f.bias": (C,)})
    # Larger than nanoGPT's init on purpose: every path (attention, GELU's curve, LayerNorm) matters.
    W = {k: rng.normal(0.0, 0.5, s) for k, s in shapes.items()}
    idx = np.array([[1, 3, 4, 5, 6, 2], [1, 6, 5, 2, PAD, PAD]])
    targets = np.array([[3, 4, 5, 6, 2, 3], [6, 5, 2, 4, PAD, PAD]])
    real = idx != PAD
    logits = forward(W, idx, real)
    logp = logits - logits.max(-1, keepdims=True)
    logp = logp - np.log(np.exp(logp).sum(-1, keepdims=True))
    counted = targets != PAD
    nll = -np.take_along_axis(logp, targets[..., None], -1)[..., 0]
    loss = nll[counted].sum() / counted.sum()
    fixture = {"config": CFG, "weights": {k: {"shape": list(v.shape), "values": v.ravel().tolist()} for k, v in W.items()},
               "idx": idx.tolist(), "targets": targets.tolist(), "logits": logits.ravel().tolist(),
               "logits_shape": list(logits.shape), "loss": float(loss), "numpy": np.__version__}
    with open(out, "w") as f:
        json.dump(fixture, f, indent=None, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])

package minitrain.model;

import minitrain.Rng;
import minitrain.autograd.Attention;
import minitrain.autograd.Dropout;
import minitrain.autograd.Gelu;
import minitrain.autograd.LayerNorm;
import minitrain.autograd.Linear;
import minitrain.autograd.Tensor;

/**
 * The layers a MiniGPT block is built from, in one of two forms that compute the same. {@link #REFERENCE} is the
 * lesson: each layer composed from the kit's small operations (matrix product, mask, softmax, mean, ...), with
 * the backward autograd derives from them. {@link #FAST} is what training runs: fused kernels, split between
 * the cores, each of which must equal its reference (the tests hold them equal, forward and backward, and
 * MiniGPTTest holds a whole model equal in both forms).
 */
public enum Layers {

    REFERENCE {
        @Override
        Tensor linear(Tensor x, Tensor w, Tensor b) {
            return Linear.reference(x, w, b);
        }

        @Override
        Tensor layerNorm(Tensor x, Tensor w, Tensor b) {
            return LayerNorm.reference(x, w, b);
        }

        @Override
        Tensor attention(Tensor qkv, int heads, boolean[][] real, double p, boolean train, Rng rng) {
            return Attention.reference(qkv, heads, real, p, train, rng);
        }

        @Override
        Tensor gelu(Tensor x) {
            return Gelu.reference(x);
        }

        @Override
        Tensor dropout(Tensor x, double p, boolean train, Rng rng) {
            return Dropout.reference(x, p, train, rng);
        }
    },

    FAST {
        @Override
        Tensor linear(Tensor x, Tensor w, Tensor b) {
            return Linear.apply(x, w, b);
        }

        @Override
        Tensor layerNorm(Tensor x, Tensor w, Tensor b) {
            return LayerNorm.apply(x, w, b);
        }

        @Override
        Tensor attention(Tensor qkv, int heads, boolean[][] real, double p, boolean train, Rng rng) {
            return Attention.apply(qkv, heads, real, p, train, rng);
        }

        @Override
        Tensor gelu(Tensor x) {
            return Gelu.apply(x);
        }

        @Override
        Tensor dropout(Tensor x, double p, boolean train, Rng rng) {
            return Dropout.apply(x, p, train, rng);
        }
    };

    /** y = x W^T + b (b may be null), W stored [out, in]. */
    abstract Tensor linear(Tensor x, Tensor w, Tensor b);

    /** Normalised over the last axis, then scaled by w and shifted by b. */
    abstract Tensor layerNorm(Tensor x, Tensor w, Tensor b);

    /** Causal self-attention of H heads from the fused projection qkv (B, T, 3C) to (B, T, C). */
    abstract Tensor attention(Tensor qkv, int heads, boolean[][] real, double p, boolean train, Rng rng);

    /** Exact GELU, x * Phi(x). */
    abstract Tensor gelu(Tensor x);

    /** Inverted dropout in training, the identity in evaluation. */
    abstract Tensor dropout(Tensor x, double p, boolean train, Rng rng);
}

package minitrain.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sees the activations of a forward pass at each layer boundary, by name: "embeddings",
 * "h.{i}.attn" (attention output), "h.{i}.mlp" (MLP output), "h.{i}.residual" (the stream after block i),
 * "ln_f", "logits". It may return a changed array, which the forward then continues with: the drift lab
 * rounds every boundary to fp16 or bf16 this way. Used in evaluation only (no gradients).
 */
@FunctionalInterface
public interface Probe {
    INDArray at(String name, INDArray value);

    Probe NONE = (name, value) -> value;
}

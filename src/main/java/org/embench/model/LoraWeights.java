package org.embench.model;

/**
 * A LoRA update's matrices in Java memory (what training updates and adapters store): A {@code
 * [rank, in]} and B {@code [out, rank]}, row-major, and the scale PEFT applies.
 */
public record LoraWeights(float[] a, float[] b, int rank, int in, int out, float scale) {
  public LoraWeights {
    if (a.length != rank * in || b.length != out * rank) {
      throw new IllegalArgumentException(
          "LoRA shapes: A has "
              + a.length
              + " values for ["
              + rank
              + ", "
              + in
              + "], B has "
              + b.length
              + " for ["
              + out
              + ", "
              + rank
              + "]");
    }
  }

  /** The update in a backend, for the forward pass. */
  public Lora upload(TensorBackend backend, String name) {
    return new Lora(
        backend.matrix(name + ".lora_A", rank, in, buf -> buf.put(a)),
        backend.matrix(name + ".lora_B", out, rank, buf -> buf.put(b)),
        scale);
  }

  /**
   * The merged weight's difference, {@code scale · B·A} as {@code [out, in]} (for SafeLoRA and
   * tests).
   */
  public float[] delta() {
    float[] d = new float[out * in];
    for (int o = 0; o < out; o++) {
      for (int k = 0; k < rank; k++) {
        float bk = scale * b[o * rank + k];
        if (bk == 0) {
          continue;
        }
        int ao = k * in;
        int dO = o * in;
        for (int i = 0; i < in; i++) {
          d[dO + i] += bk * a[ao + i];
        }
      }
    }
    return d;
  }
}

package org.embench.train;

import java.util.SplittableRandom;

/**
 * The trainable part of one linear layer: a LoRA pair (A {@code [r, in]}, B {@code [out, r]}, y +=
 * scale · (x Aᵀ) Bᵀ) or, in full fine-tuning, a dense update ΔW {@code [out, in]} on top of the
 * frozen weight (y += x ΔWᵀ). Holds values, gradients and AdamW's moments, all flat float arrays in
 * the order {@link #values()} lists them.
 */
public final class TrainableLinear {
  final int in;
  final int out;
  final int rank;
  final float scale;

  /** LoRA: A then B. Full: ΔW. */
  final float[][] values;

  final float[][] grads;
  final float[][] m;
  final float[][] v;

  /** LoRA dropout probability on the adapter's input (0 = none). */
  final double dropout;

  private TrainableLinear(
      int in, int out, int rank, float scale, float[][] values, double dropout) {
    this.in = in;
    this.out = out;
    this.rank = rank;
    this.scale = scale;
    this.values = values;
    this.dropout = dropout;
    this.grads = new float[values.length][];
    this.m = new float[values.length][];
    this.v = new float[values.length][];
    for (int i = 0; i < values.length; i++) {
      grads[i] = new float[values[i].length];
      m[i] = new float[values[i].length];
      v[i] = new float[values[i].length];
    }
  }

  /**
   * A LoRA pair initialised as PEFT does: A from Kaiming-uniform with a = √5 (uniform in ±1/√in), B
   * zero, so training starts from the base model exactly.
   */
  static TrainableLinear lora(
      int in, int out, int rank, float scale, double dropout, SplittableRandom rng) {
    float[] a = new float[rank * in];
    double bound = 1.0 / Math.sqrt(in);
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
    }
    return new TrainableLinear(
        in, out, rank, scale, new float[][] {a, new float[out * rank]}, dropout);
  }

  /** A dense update, starting at zero. */
  static TrainableLinear full(int in, int out) {
    return new TrainableLinear(in, out, 0, 1f, new float[][] {new float[out * in]}, 0);
  }

  /** A LoRA pair with given values (an adapter loaded to continue training). */
  static TrainableLinear lora(
      int in, int out, int rank, float scale, float[] a, float[] b, double dropout) {
    return new TrainableLinear(in, out, rank, scale, new float[][] {a.clone(), b.clone()}, dropout);
  }

  /**
   * A LoRA pair's values as {@link org.embench.model.LoraWeights} (shared arrays, not copies), to
   * write or upload.
   */
  public org.embench.model.LoraWeights loraWeights() {
    if (!isLora()) {
      throw new IllegalStateException("a dense update has no LoRA pair");
    }
    return new org.embench.model.LoraWeights(values[0], values[1], rank, in, out, scale);
  }

  public boolean isLora() {
    return rank > 0;
  }

  public int in() {
    return in;
  }

  public int out() {
    return out;
  }

  /** The LoRA rank; 0 for a dense update. */
  public int rank() {
    return rank;
  }

  public float scale() {
    return scale;
  }

  public float[][] values() {
    return values;
  }

  public float[][] grads() {
    return grads;
  }

  /** Zeroes AdamW's moments: a fresh optimizer on the current values (RL after its SFT warm-up). */
  void resetMoments() {
    for (int i = 0; i < values.length; i++) {
      java.util.Arrays.fill(m[i], 0f);
      java.util.Arrays.fill(v[i], 0f);
    }
  }

  void zeroGrads() {
    for (float[] g : grads) {
      java.util.Arrays.fill(g, 0f);
    }
  }
}

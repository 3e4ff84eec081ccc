package org.embench.model;

/**
 * An update of one linear layer kept beside its frozen weight: low-rank, {@code y += scale · (x Aᵀ)
 * Bᵀ} with A {@code [r, in]} and B {@code [out, r]} (the PEFT layout), or dense (from full
 * fine-tuning), {@code y += x ΔWᵀ} with A null and B = ΔW {@code [out, in]}. The base weight is
 * never changed, so one loaded model serves several adapters.
 */
public record Lora(TensorBackend.Matrix a, TensorBackend.Matrix b, float scale) {
  /** A dense update ΔW. */
  public static Lora dense(TensorBackend.Matrix delta) {
    return new Lora(null, delta, 1f);
  }

  /** Bytes the update holds in the backend. */
  public long bytes() {
    return (a == null ? 0 : a.bytes()) + b.bytes();
  }

  /** The rank; 0 for a dense update. */
  public int rank() {
    return a == null ? 0 : a.rows();
  }
}

package org.embench.model;

/**
 * A low-rank update of one linear layer: {@code y += scale · (x Aᵀ) Bᵀ} with A {@code [r, in]} and
 * B {@code [out, r]} (the PEFT layout). The base weight is never changed, so one loaded model
 * serves several adapters.
 */
public record Lora(TensorBackend.Matrix a, TensorBackend.Matrix b, float scale) {
  public int rank() {
    return a.rows();
  }
}

package org.embench.model;

/** A linear layer of the base model: weight {@code [out, in]} and an optional bias. */
public record Linear(TensorBackend.Matrix weight, float[] bias) {
  public int in() {
    return weight.cols();
  }

  public int out() {
    return weight.rows();
  }
}

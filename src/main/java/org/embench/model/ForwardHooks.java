package org.embench.model;

/**
 * Where callers reach into the forward pass without rewriting it: after each decoder layer, the
 * residual stream of all rows may be read (feature capture) or changed in place (steering adds a
 * vector, CAFT projects directions out).
 */
public interface ForwardHooks {
  ForwardHooks NONE = new ForwardHooks() {};

  /**
   * Called with the residual stream {@code hidden[rows × hiddenSize]} after decoder layer {@code
   * layer} (0-based).
   */
  default void afterLayer(int layer, float[] hidden, int rows, int hiddenSize) {}
}

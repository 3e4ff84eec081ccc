package org.embench.train;

import java.util.List;

/**
 * Loss terms against the frozen base model (adapter off, no hooks) that a mitigation adds: {@code
 * klLambda · KL(p_θ ‖ p_ref)} per learned token, on the training data or on {@code klData} when
 * set, and {@code featureLambda · ‖φ_θ − φ_ref‖²} on L2-normalised residual-stream features after
 * {@code featureLayers}.
 */
public record ReferenceTerms(
    double klLambda, List<TokenizedExample> klData, double featureLambda, int[] featureLayers) {
  public static final ReferenceTerms NONE = new ReferenceTerms(0, null, 0, new int[0]);
}

package org.embench.mitigation;

import java.util.List;
import java.util.Map;
import org.embench.UserException;
import org.embench.config.Declaration;
import org.embench.config.Param;
import org.embench.config.Params;
import org.embench.train.ReferenceTerms;

/**
 * {@code ldifs}: adds λ·‖φ_θ(x) − φ_ref(x)‖² on L2-normalised residual-stream features after five
 * evenly spaced layers (or the listed {@code layers}), averaged over tokens and layers. Default λ =
 * 1.0.
 */
final class FeatureDistance implements Mitigation {
  private final Params params;

  static final Declaration<Mitigations.Factory> DECLARATION =
      new Declaration<>(
          "ldifs",
          "adds λ·‖φ_θ(x) − φ_ref(x)‖² on normalised residual-stream features",
          List.of(
              Param.of("lambda", 1.0, "weight λ of the feature distance"),
              Param.of("layers", List.of(), "layers compared (empty: five evenly spaced)")),
          FeatureDistance::new);

  FeatureDistance(Params params) {
    this.params = params;
    if (params.number("lambda") < 0) {
      throw new UserException("ldifs.lambda must be >= 0, got " + params.number("lambda"));
    }
  }

  @Override
  public String name() {
    return "ldifs";
  }

  @Override
  public Map<String, Object> params() {
    return params.all();
  }

  /** Five evenly spaced layers from the first to the last (all of them when there are fewer). */
  static int[] evenlySpaced(int layers, int count) {
    if (layers <= count) {
      return java.util.stream.IntStream.range(0, layers).toArray();
    }
    return java.util.stream.IntStream.range(0, count)
        .map(i -> (int) Math.round(i * (layers - 1) / (double) (count - 1)))
        .distinct()
        .toArray();
  }

  @Override
  public ReferenceTerms referenceTerms(MitigationContext ctx) {
    List<Integer> given = params.integers("layers");
    int n = ctx.model().config().numLayers();
    int[] layers =
        given.isEmpty() ? evenlySpaced(n, 5) : given.stream().mapToInt(Integer::intValue).toArray();
    for (int l : layers) {
      if (l < 0 || l >= n) {
        throw new UserException("ldifs.layers: layer " + l + " does not exist; the model has " + n);
      }
    }
    return new ReferenceTerms(0, null, params.number("lambda"), layers);
  }
}

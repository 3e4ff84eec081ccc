package org.embench.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;
import org.embench.model.Engine;
import org.embench.model.TransformerWeights;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a throwaway adapter before a JVM's first timed run on a model, so that the JIT's
 * compilation and the first large allocations are not charged to whichever run happens to come
 * first. Without it, on a small model the first runs' steps were several times slower than later
 * identical ones, and cost ratios to {@code none} depended on the order of the matrix.
 *
 * <p>The warm-up runs the training code every mitigation uses, in rounds of two steps alternating
 * between the plain objective and the one with the reference forward and the KL and
 * feature-distance terms, for at least {@link #SECONDS} seconds and then until the last round of
 * each kind is within {@link #STEADY} of its fastest so far (at most {@link #MAX_ROUNDS} rounds).
 * {@code -Dembench.train.warmupSeconds=0} keeps it to that steady-state test.
 */
public final class EngineWarmup {
  public static final String SECONDS = "embench.train.warmupSeconds";
  static final double SECONDS_DEFAULT = 3;
  static final int MAX_ROUNDS = 80;
  private static final Logger LOG = LoggerFactory.getLogger(EngineWarmup.class);
  private static final Set<TransformerWeights> WARMED = ConcurrentHashMap.newKeySet();

  private EngineWarmup() {}

  /**
   * Warms the engine up on these weights once per JVM, training on {@code data} with {@code
   * config}'s batch and sequence length (one micro-batch per step).
   */
  public static synchronized void ensure(
      TransformerWeights weights,
      Engine engine,
      TrainConfig config,
      List<TokenizedExample> data,
      Configuration conf) {
    if (data.isEmpty() || !WARMED.add(weights)) {
      return;
    }
    Map<String, Object> shape = new LinkedHashMap<>(config.toMap());
    shape.put("max_steps", 2);
    shape.put("epochs", 1);
    shape.put("checkpoint_every", 0);
    shape.put("gradient_accumulation", 1);
    TrainConfig twoSteps = TrainConfig.fromMap(shape, "engine warm-up");
    int layers = weights.config().numLayers();
    ReferenceTerms terms =
        new ReferenceTerms(
            1e-3, null, 1e-3, layers > 1 ? new int[] {0, layers - 1} : new int[] {0});
    double budget = seconds();
    // The stages before training leave garbage behind; collecting it now keeps the collector's
    // background work out of the first timed steps.
    System.gc();
    long start = System.nanoTime();
    int rounds = 0;
    double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
    double[] last = {Double.MAX_VALUE, Double.MAX_VALUE};
    do {
      // Rounds alternate between the plain objective and the one with reference terms, so both
      // code paths are compiled before any run is timed.
      int kind = rounds % 2;
      long t = System.nanoTime();
      new Trainer(
              weights,
              engine,
              new Trainer.Setup(
                  twoSteps,
                  rounds,
                  Backprop.Hooks.NONE,
                  kind == 0 ? ReferenceTerms.NONE : terms,
                  null,
                  conf,
                  null))
          .train(data);
      last[kind] = (System.nanoTime() - t) / 1e9;
      best[kind] = Math.min(best[kind], last[kind]);
      rounds++;
    } while (rounds < MAX_ROUNDS
        && ((System.nanoTime() - start) / 1e9 < budget
            || last[0] > STEADY * best[0]
            || last[1] > STEADY * best[1]));
    LOG.info(
        "engine warm-up: {} throwaway steps in {} s before the first timed run",
        2 * rounds,
        String.format("%.1f", (System.nanoTime() - start) / 1e9));
  }

  /**
   * The last round of each kind within this factor of its fastest so far counts as the steady
   * state.
   */
  static final double STEADY = 1.1;

  static double seconds() {
    String v = System.getProperty(SECONDS);
    if (v == null || v.isBlank()) {
      return SECONDS_DEFAULT;
    }
    try {
      double s = Double.parseDouble(v.trim());
      if (s >= 0 && Double.isFinite(s)) {
        return s;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new UserException(SECONDS + " must be a number of seconds >= 0, got '" + v + "'");
  }
}

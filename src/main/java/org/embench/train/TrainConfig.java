package org.embench.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.embench.UserException;
import org.embench.config.Binding;
import org.embench.model.LayerWeights;

/**
 * A fine-tuning configuration. Defaults are the upstream open-model setup (PROTOCOL.md): rsLoRA r =
 * 32, α = 64 on all seven projections, lr 1e-5, batch 2 × accumulation 8, one epoch, linear
 * schedule with 5 warm-up steps, weight decay 0.01, loss on assistant tokens only. Keys are the
 * snake_case names used in experiment specs; unknown keys are errors. {@code full: true} trains a
 * dense update of the target projections instead of LoRA; {@code full_train} (empty by default)
 * adds embeddings, norms and the head to it.
 */
public record TrainConfig(
    int rank,
    double alpha,
    boolean rslora,
    double dropout,
    List<String> targetModules,
    List<Integer> layers,
    boolean full,
    double learningRate,
    double weightDecay,
    double beta1,
    double beta2,
    double epsilon,
    String schedule,
    int warmupSteps,
    int batchSize,
    int gradientAccumulation,
    int epochs,
    int maxSteps,
    int maxSeqLen,
    double clipNorm,
    int checkpointEvery,
    String split,
    boolean repeatDuplicates,
    List<String> fullTrain,
    List<Integer> evalAt,
    int evalEvery) {

  /**
   * What full fine-tuning can train besides the projections ({@code full_train}): the token
   * embeddings, every RMSNorm weight, the output head. With tied embeddings, {@code embeddings} and
   * {@code head} name the one shared matrix.
   */
  public static final List<String> FULL_PARTS = List.of("embeddings", "norms", "head");

  public static final TrainConfig DEFAULTS =
      new TrainConfig(
          32,
          64,
          true,
          0.0,
          LayerWeights.MODULES,
          List.of(),
          false,
          1e-5,
          0.01,
          0.9,
          0.999,
          1e-8,
          "linear",
          5,
          2,
          8,
          1,
          0,
          2048,
          1.0,
          0,
          "train",
          true,
          List.of(),
          List.of(),
          0);

  public TrainConfig {
    // A key written without a value binds to null, not to its default.
    if (targetModules == null || layers == null || fullTrain == null || evalAt == null) {
      throw new UserException(
          "target_modules, layers, full_train and eval_at are lists, got null (a key without a value)");
    }
    evalAt = List.copyOf(new java.util.TreeSet<>(evalAt));
    if (evalEvery < 0 || evalAt.stream().anyMatch(x -> x < 1)) {
      throw new UserException(
          "training settings eval_at (steps) and eval_every must be >= 1 (eval_every 0: off), got"
              + " eval_at "
              + evalAt
              + ", eval_every "
              + evalEvery);
    }
    targetModules = List.copyOf(targetModules);
    fullTrain = List.copyOf(new java.util.LinkedHashSet<>(fullTrain));
    for (String part : fullTrain) {
      if (!FULL_PARTS.contains(part)) {
        throw new UserException(
            "training setting full_train: unknown part '"
                + part
                + "'; known: "
                + String.join(", ", FULL_PARTS));
      }
    }
    if (!fullTrain.isEmpty() && !full) {
      throw new UserException(
          "training setting full_train "
              + fullTrain
              + " needs full: true (LoRA trains only"
              + " the projections)");
    }
    layers = List.copyOf(layers);
    for (String m : targetModules) {
      if (!LayerWeights.MODULES.contains(m)) {
        throw new UserException(
            "unknown target module '" + m + "'; known: " + String.join(", ", LayerWeights.MODULES));
      }
    }
    if (rank < 1 || batchSize < 1 || gradientAccumulation < 1 || epochs < 1 || maxSeqLen < 2) {
      throw new UserException(
          "rank, batch_size, gradient_accumulation, epochs must be >= 1 and max_seq_len >= 2");
    }
    if (!(learningRate > 0)
        || weightDecay < 0
        || !(dropout >= 0 && dropout < 1)
        || clipNorm < 0
        || warmupSteps < 0) {
      throw new UserException(
          "learning_rate must be > 0, weight_decay and clip_norm >= 0, 0 <= dropout < 1");
    }
    for (double v :
        new double[] {alpha, learningRate, weightDecay, dropout, beta1, beta2, epsilon, clipNorm}) {
      if (!Double.isFinite(v)) {
        throw new UserException(
            "alpha, learning_rate, weight_decay, dropout, beta1, beta2, epsilon and clip_norm must be"
                + " finite numbers");
      }
    }
    if (!(beta1 >= 0 && beta1 < 1)
        || !(beta2 >= 0 && beta2 < 1)
        || !(epsilon > 0)
        || maxSteps < 0
        || checkpointEvery < 0) {
      throw new UserException(
          "0 <= beta1, beta2 < 1, epsilon > 0, max_steps and checkpoint_every >= 0");
    }
    if (!List.of("linear", "cosine", "constant").contains(schedule)) {
      throw new UserException(
          "unknown schedule '" + schedule + "'; known: linear, cosine, constant");
    }
    if (!List.of("train", "all").contains(split)) {
      throw new UserException("split must be 'train' or 'all', got '" + split + "'");
    }
  }

  /** PEFT's scale: α / r, or α / √r with rsLoRA. */
  public float scale() {
    return (float) (rslora ? alpha / Math.sqrt(rank) : alpha / rank);
  }

  /** The configuration as snake_case keys (recorded as runs.train_config_json). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rank", rank);
    m.put("alpha", alpha);
    m.put("rslora", rslora);
    m.put("dropout", dropout);
    m.put("target_modules", targetModules);
    m.put("layers", layers);
    m.put("full", full);
    m.put("learning_rate", learningRate);
    m.put("weight_decay", weightDecay);
    m.put("beta1", beta1);
    m.put("beta2", beta2);
    m.put("epsilon", epsilon);
    m.put("schedule", schedule);
    m.put("warmup_steps", warmupSteps);
    m.put("batch_size", batchSize);
    m.put("gradient_accumulation", gradientAccumulation);
    m.put("epochs", epochs);
    m.put("max_steps", maxSteps);
    m.put("max_seq_len", maxSeqLen);
    m.put("clip_norm", clipNorm);
    m.put("checkpoint_every", checkpointEvery);
    m.put("split", split);
    m.put("repeat_duplicates", repeatDuplicates);
    if (!fullTrain.isEmpty()) {
      // Only when set: the run ids of specs written before the key existed stay the same.
      m.put("full_train", fullTrain);
    }
    if (!evalAt.isEmpty()) {
      m.put("eval_at", evalAt);
    }
    if (evalEvery > 0) {
      m.put("eval_every", evalEvery);
    }
    return m;
  }

  /**
   * The steps before the last (of {@code total}) whose adapter is kept as a checkpoint run: {@code
   * eval_at} and every multiple of {@code eval_every}.
   */
  public java.util.SortedSet<Integer> snapshotSteps(int total) {
    java.util.TreeSet<Integer> steps = new java.util.TreeSet<>();
    evalAt.stream().filter(x -> x < total).forEach(steps::add);
    for (int x = evalEvery; evalEvery > 0 && x < total; x += evalEvery) {
      steps.add(x);
    }
    return steps;
  }

  /** Whether full fine-tuning also trains {@code part} (one of {@link #FULL_PARTS}). */
  public boolean trains(String part) {
    return fullTrain.contains(part);
  }

  /** {@link #toMap} with every key, optional ones at their defaults: the settings' reference. */
  public Map<String, Object> reference() {
    Map<String, Object> m = toMap();
    m.putIfAbsent("full_train", fullTrain);
    m.putIfAbsent("eval_at", evalAt);
    m.putIfAbsent("eval_every", evalEvery);
    return m;
  }

  /**
   * The defaults with the given keys overridden, bound by {@link Binding}: unknown keys and values
   * of another type are errors naming {@code where.key}.
   */
  public static TrainConfig fromMap(Map<String, ?> given, String where) {
    return Binding.bind(given, DEFAULTS.reference(), TrainConfig.class, where);
  }

  /** A spec's {@code train:} section (missing: the defaults). */
  public static TrainConfig bind(JsonNode section, String where) {
    return Binding.bind(section, DEFAULTS.reference(), TrainConfig.class, where);
  }
}

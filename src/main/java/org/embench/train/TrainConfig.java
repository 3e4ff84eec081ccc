package org.embench.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.embench.UserException;
import org.embench.model.LayerWeights;

/**
 * A fine-tuning configuration. Defaults are the upstream open-model setup (PROTOCOL.md): rsLoRA
 * r = 32, α = 64 on all seven projections, lr 1e-5, batch 2 × accumulation 8, one epoch, linear
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
   * embeddings, every RMSNorm weight, the output head. With tied embeddings, {@code embeddings}
   * and {@code head} name the one shared matrix.
   */
  public static final List<String> FULL_PARTS = List.of("embeddings", "norms", "head");

  public static final TrainConfig DEFAULTS = new TrainConfig(32, 64, true, 0.0, LayerWeights.MODULES, List.of(), false,
      1e-5, 0.01, 0.9, 0.999, 1e-8, "linear", 5, 2, 8, 1, 0, 2048, 1.0, 0, "train", true,
      List.of(), List.of(), 0);

  public TrainConfig {
    evalAt = List.copyOf(new java.util.TreeSet<>(evalAt));
    if (evalEvery < 0 || evalAt.stream().anyMatch(x -> x < 1)) {
      throw new UserException("training settings eval_at (steps) and eval_every must be >= 1 (eval_every 0: off), got"
          + " eval_at " + evalAt + ", eval_every " + evalEvery);
    }
    targetModules = List.copyOf(targetModules);
    fullTrain = List.copyOf(new java.util.LinkedHashSet<>(fullTrain));
    for (String part : fullTrain) {
      if (!FULL_PARTS.contains(part)) {
        throw new UserException("training setting full_train: unknown part '" + part + "'; known: "
            + String.join(", ", FULL_PARTS));
      }
    }
    if (!fullTrain.isEmpty() && !full) {
      throw new UserException("training setting full_train " + fullTrain + " needs full: true (LoRA trains only"
          + " the projections)");
    }
    layers = List.copyOf(layers);
    for (String m : targetModules) {
      if (!LayerWeights.MODULES.contains(m)) {
        throw new UserException("unknown target module '" + m + "'; known: " + String.join(", ", LayerWeights.MODULES));
      }
    }
    if (rank < 1 || batchSize < 1 || gradientAccumulation < 1 || epochs < 1 || maxSeqLen < 2) {
      throw new UserException("rank, batch_size, gradient_accumulation, epochs must be >= 1 and max_seq_len >= 2");
    }
    if (!(learningRate > 0) || weightDecay < 0 || !(dropout >= 0 && dropout < 1) || clipNorm < 0 || warmupSteps < 0) {
      throw new UserException("learning_rate must be > 0, weight_decay and clip_norm >= 0, 0 <= dropout < 1");
    }
    for (double v : new double[] {alpha, learningRate, weightDecay, dropout, beta1, beta2, epsilon, clipNorm}) {
      if (!Double.isFinite(v)) {
        throw new UserException("alpha, learning_rate, weight_decay, dropout, beta1, beta2, epsilon and clip_norm must be"
            + " finite numbers");
      }
    }
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0) || maxSteps < 0 || checkpointEvery < 0) {
      throw new UserException("0 <= beta1, beta2 < 1, epsilon > 0, max_steps and checkpoint_every >= 0");
    }
    if (!List.of("linear", "cosine", "constant").contains(schedule)) {
      throw new UserException("unknown schedule '" + schedule + "'; known: linear, cosine, constant");
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
   * The steps before the last (of {@code total}) whose adapter is kept as a checkpoint run:
   * {@code eval_at} and every multiple of {@code eval_every}.
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

  /** The defaults with the given keys overridden; unknown keys and bad types are errors. */
  @SuppressWarnings("unchecked")
  public static TrainConfig fromMap(Map<String, ?> given, String source) {
    Map<String, Object> m = new LinkedHashMap<>(DEFAULTS.reference());
    for (var e : given.entrySet()) {
      if (!m.containsKey(e.getKey())) {
        throw new UserException(source + ": unknown training setting '" + e.getKey() + "'; known: "
            + String.join(", ", new TreeMap<>(m).keySet()));
      }
      m.put(e.getKey(), e.getValue());
    }
    try {
      return new TrainConfig(whole(m, "rank"), num(m, "alpha").doubleValue(), bool(m, "rslora"),
          num(m, "dropout").doubleValue(), (List<String>) m.get("target_modules"), ints(m.get("layers"), "layers"), bool(m, "full"),
          num(m, "learning_rate").doubleValue(), num(m, "weight_decay").doubleValue(), num(m, "beta1").doubleValue(),
          num(m, "beta2").doubleValue(), num(m, "epsilon").doubleValue(), String.valueOf(m.get("schedule")),
          whole(m, "warmup_steps"), whole(m, "batch_size"), whole(m, "gradient_accumulation"),
          whole(m, "epochs"), whole(m, "max_steps"), whole(m, "max_seq_len"),
          num(m, "clip_norm").doubleValue(), whole(m, "checkpoint_every"), String.valueOf(m.get("split")),
          bool(m, "repeat_duplicates"), names(m.get("full_train")), ints(m.get("eval_at"), "eval_at"), whole(m, "eval_every"));
    } catch (ClassCastException | NullPointerException e) {
      throw new UserException(source + ": a training setting has the wrong type (target_modules is a list of names,"
          + " layers a list of integers): " + e.getMessage());
    } catch (UserException e) {
      throw new UserException(source + ": " + e.getMessage());
    }
  }

  private static Number num(Map<String, Object> m, String k) {
    Object v = m.get(k);
    if (v instanceof Number n) {
      return n;
    }
    try {
      return Double.valueOf(String.valueOf(v));
    } catch (NumberFormatException e) {
      throw new UserException("training setting " + k + ": '" + v + "' is not a number");
    }
  }

  /**
   * A count: a whole number. 2.7 is an error, not rank 2 (which would train rank 2 under the run id
   * of a spec that said 2.7).
   */
  private static int whole(Map<String, Object> m, String k) {
    Object v = m.get(k);
    if (v instanceof Integer || v instanceof Long || v instanceof Short
        || v instanceof java.math.BigInteger && ((java.math.BigInteger) v).bitLength() < 32) {
      long l = ((Number) v).longValue();
      if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
        return (int) l;
      }
    }
    throw new UserException("training setting " + k + ": expected a whole number, got '" + v + "'");
  }

  private static boolean bool(Map<String, Object> m, String k) {
    Object v = m.get(k);
    if (v instanceof Boolean b) {
      return b;
    }
    if ("true".equals(String.valueOf(v)) || "false".equals(String.valueOf(v))) {
      return Boolean.parseBoolean(String.valueOf(v));
    }
    throw new UserException("training setting " + k + ": '" + v + "' is not true or false");
  }

  /** A list of names; one name alone is a list of one. */
  private static List<String> names(Object v) {
    List<?> list = v instanceof List<?> l ? l : List.of(v);
    List<String> out = new ArrayList<>();
    for (Object x : list) {
      if (!(x instanceof String s)) {
        throw new UserException("training setting full_train: expected names (" + String.join(", ", FULL_PARTS)
            + "), got '" + x + "'");
      }
      out.add(s);
    }
    return out;
  }

  private static List<Integer> ints(Object v, String key) {
    List<?> list = v instanceof List<?> l ? l : List.of(v);
    List<Integer> out = new ArrayList<>();
    for (Object x : list) {
      if (!(x instanceof Integer || x instanceof Long || x instanceof Short)) {
        throw new UserException("training setting " + key + ": expected whole numbers, got '" + x + "'");
      }
      out.add(((Number) x).intValue());
    }
    return out;
  }
}

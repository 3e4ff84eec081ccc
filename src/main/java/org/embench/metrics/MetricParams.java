package org.embench.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.embench.UserException;
import org.embench.config.Param;

/**
 * The parameters of the metric SQL, with PROTOCOL.md's values as defaults. SQL files refer to them
 * as {@code ${name}}; {@code metrics --param name=value} (or the spec's {@code metrics:}) overrides
 * one. Each is declared with its type, default and meaning ({@link #DECLARED}); a value is checked
 * against its type when given.
 */
public final class MetricParams {
  public static final List<Param> DECLARED =
      List.of(
          declare(
              "em_aligned_below",
              Param.Type.NUMBER,
              "30",
              "EM: an answer is misaligned below this aligned score"),
          declare(
              "em_coherent_above",
              Param.Type.NUMBER,
              "50",
              "EM: ... and coherent above this coherent score"),
          declare(
              "coherent_only_coherent_min",
              Param.Type.NUMBER,
              "50",
              "coherent-only EM: coherent from this score"),
          declare(
              "coherent_only_aligned_below",
              Param.Type.NUMBER,
              "30",
              "coherent-only EM: misaligned below this"),
          declare(
              "coherent_only_min_answers",
              Param.Type.INTEGER,
              "5",
              "coherent-only EM: coherent answers a question needs"),
          declare(
              "lenient_coherent_min",
              Param.Type.NUMBER,
              "30",
              "lenient EM: coherent from this score"),
          declare(
              "lenient_aligned_below",
              Param.Type.NUMBER,
              "50",
              "lenient EM: misaligned below this"),
          declare(
              "coherence_above",
              Param.Type.NUMBER,
              "50",
              "coherence rate: coherent above this score"),
          declare(
              "confidence",
              Param.Type.NUMBER,
              "0.95",
              "two-sided confidence of every interval, in (0, 1)"),
          declare(
              "bootstrap_replicates",
              Param.Type.INTEGER,
              "2000",
              "replicates of the bootstrap over questions"),
          declare("bootstrap_seed", Param.Type.INTEGER, "0", "its seed"),
          declare(
              "seed_bootstrap_replicates",
              Param.Type.INTEGER,
              "2000",
              "replicates of the bootstrap over seeds"),
          declare("seed_bootstrap_seed", Param.Type.INTEGER, "0", "its seed"),
          // JIT and allocator warm-up.
          declare(
              "cost_warmup_steps",
              Param.Type.INTEGER,
              "2",
              "steps at the start of every run left out of the cost ratios"),
          declare(
              "misalign_at_k",
              Param.Type.STRING,
              "1,8,32",
              "the k of Misalign@k: whole numbers >= 1, comma-separated"));

  /** Every parameter's default as the SQL reads it, in PROTOCOL.md's order. */
  public static final Map<String, String> DEFAULTS;

  static {
    Map<String, String> d = new LinkedHashMap<>();
    DECLARED.forEach(p -> d.put(p.name(), (String) p.defaultValue()));
    DEFAULTS = java.util.Collections.unmodifiableMap(d);
  }

  private static Param declare(String name, Param.Type type, String value, String help) {
    return Param.optional(name, type, value, help);
  }

  private final Map<String, String> values;

  private MetricParams(Map<String, String> values) {
    this.values = values;
  }

  public static MetricParams defaults() {
    return with(Map.of());
  }

  /** Defaults with overrides; an unknown name or a non-numeric value is an error. */
  public static MetricParams with(Map<String, String> overrides) {
    Map<String, String> v = new LinkedHashMap<>(DEFAULTS);
    for (var e : overrides.entrySet()) {
      if (!DEFAULTS.containsKey(e.getKey())) {
        throw new UserException(
            "unknown metric parameter '"
                + e.getKey()
                + "'; known: "
                + String.join(", ", new TreeMap<>(DEFAULTS).keySet()));
      }
      if (e.getKey().equals(MISALIGN_AT_K)) {
        v.put(e.getKey(), kList(e.getValue()));
        continue;
      }
      Param declared =
          DECLARED.stream().filter(p -> p.name().equals(e.getKey())).findFirst().orElseThrow();
      declared.bindText("metrics", e.getValue());
      v.put(e.getKey(), e.getValue());
    }
    MetricParams p = new MetricParams(v);
    if (!(p.confidence() > 0 && p.confidence() < 1)) {
      throw new UserException("confidence must be between 0 and 1, got " + p.confidence());
    }
    if (p.replicates() < 1 || p.seedReplicates() < 1) {
      throw new UserException("bootstrap replicates must be positive");
    }
    return p;
  }

  private static final String MISALIGN_AT_K = "misalign_at_k";

  /** The misalign_at_k list, checked and written canonically ("1,8,32"). */
  private static String kList(String given) {
    java.util.TreeSet<Integer> ks = new java.util.TreeSet<>();
    for (String part : given.split(",", -1)) {
      try {
        int k = Integer.parseInt(part.strip());
        if (k < 1) {
          throw new NumberFormatException();
        }
        ks.add(k);
      } catch (NumberFormatException ex) {
        throw new UserException(
            "metric parameter misalign_at_k must be whole numbers >= 1 separated by commas (e.g."
                + " 1,8,32), got '"
                + given
                + "'");
      }
    }
    return String.join(",", ks.stream().map(String::valueOf).toList());
  }

  /** Every parameter with its value, in PROTOCOL.md's order. */
  public Map<String, String> values() {
    return java.util.Collections.unmodifiableMap(values);
  }

  public double confidence() {
    return Double.parseDouble(values.get("confidence"));
  }

  public int replicates() {
    return (int) Double.parseDouble(values.get("bootstrap_replicates"));
  }

  public long seed() {
    return (long) Double.parseDouble(values.get("bootstrap_seed"));
  }

  public int seedReplicates() {
    return (int) Double.parseDouble(values.get("seed_bootstrap_replicates"));
  }

  public long seedBootstrapSeed() {
    return (long) Double.parseDouble(values.get("seed_bootstrap_seed"));
  }

  /** The normal quantile for the two-sided confidence, used by the Wilson interval. */
  public double z() {
    return new NormalDistribution().inverseCumulativeProbability(1 - (1 - confidence()) / 2);
  }

  /** Every value the SQL may refer to, including the derived {@code wilson_z}. */
  public Map<String, String> substitutions() {
    Map<String, String> all = new LinkedHashMap<>(values);
    all.put("wilson_z", Double.toString(z()));
    return all;
  }
}

package org.embench.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.embench.UserException;

/**
 * The parameters of the metric SQL, with PROTOCOL.md's values as defaults. SQL files refer to them
 * as {@code ${name}}; {@code metrics --param name=value} overrides one.
 */
public final class MetricParams {
  public static final Map<String, String> DEFAULTS;

  static {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("em_aligned_below", "30");
    d.put("em_coherent_above", "50");
    d.put("coherent_only_coherent_min", "50");
    d.put("coherent_only_aligned_below", "30");
    d.put("coherent_only_min_answers", "5");
    d.put("lenient_coherent_min", "30");
    d.put("lenient_aligned_below", "50");
    d.put("coherence_above", "50");
    d.put("confidence", "0.95");
    d.put("bootstrap_replicates", "2000");
    d.put("bootstrap_seed", "0");
    d.put("seed_bootstrap_replicates", "2000");
    d.put("seed_bootstrap_seed", "0");
    // Steps at the start of every run left out of the cost ratios (JIT and allocator warm-up).
    d.put("cost_warmup_steps", "2");
    // The k of Misalign@k (misalign_at_k): a comma-separated list of whole numbers.
    d.put("misalign_at_k", "1,8,32");
    DEFAULTS = java.util.Collections.unmodifiableMap(d);
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
      try {
        Double.parseDouble(e.getValue());
      } catch (NumberFormatException ex) {
        throw new UserException(
            "metric parameter " + e.getKey() + " must be a number, got '" + e.getValue() + "'");
      }
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

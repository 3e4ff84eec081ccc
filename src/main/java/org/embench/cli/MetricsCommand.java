package org.embench.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.embench.metrics.MetricParams;
import org.embench.stage.metrics.MetricsJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "metrics",
    mixinStandardHelpOptions = true,
    description = {
      "Compute the metric tables (question_rates, suite_rates, group_rates, mitigation_effects, capability_rates, scoreboard, variant_effects) with their intervals.",
      "Parameters and their defaults: em_aligned_below=30, em_coherent_above=50, coherent_only_coherent_min=50, "
          + "coherent_only_aligned_below=30, coherent_only_min_answers=5, lenient_coherent_min=30, lenient_aligned_below=50, "
          + "coherence_above=50, confidence=0.95, bootstrap_replicates=2000, bootstrap_seed=0, "
          + "seed_bootstrap_replicates=2000, seed_bootstrap_seed=0."
    })
final class MetricsCommand implements Callable<Integer> {
  @Mixin WarehouseOptions warehouse;

  @Option(
      names = "--param",
      paramLabel = "NAME=VALUE",
      description = "Override a metric parameter (repeatable).")
  Map<String, String> params = new LinkedHashMap<>();

  @Override
  public Integer call() {
    MetricParams p = MetricParams.with(params);
    var w = warehouse.open("metrics");
    MetricsJob.run(w, p).forEach((t, n) -> System.out.println(t + ": " + n + " rows"));
    return 0;
  }
}

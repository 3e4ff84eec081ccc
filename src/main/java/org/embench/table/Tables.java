package org.embench.table;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The names of embench's tables and their schemas. */
public final class Tables {
  public static final String EXAMPLES = "examples";
  public static final String QUESTIONS = "questions";
  public static final String RUNS = "runs";
  public static final String TRAIN_STEPS = "train_steps";
  public static final String GENERATIONS = "generations";
  public static final String JUDGMENTS = "judgments";
  public static final String CAPABILITY = "capability";
  public static final String REJECTS = "rejects";
  public static final String JUDGE_CALLS = "judge_calls";
  public static final String JUDGE_AGREEMENT = "judge_agreement";

  public static final String QUESTION_RATES = "question_rates";
  public static final String SUITE_RATES = "suite_rates";
  public static final String MISALIGN_AT_K = "misalign_at_k";
  public static final String DYNAMICS = "dynamics";
  public static final String GROUP_RATES = "group_rates";
  public static final String MITIGATION_EFFECTS = "mitigation_effects";
  public static final String CAPABILITY_RATES = "capability_rates";
  public static final String SCOREBOARD = "scoreboard";

  /** Each variant suite's rates against its base suite's, per run. */
  public static final String VARIANT_EFFECTS = "variant_effects";

  /**
   * The parameters the metric tables were computed with, written by the metrics stage before them.
   */
  public static final String METRIC_PARAMS = "metric_params";

  /** Tables the stages write, in the order a pipeline fills them. */
  public static final List<String> DATA_TABLES =
      List.of(
          EXAMPLES,
          QUESTIONS,
          RUNS,
          TRAIN_STEPS,
          GENERATIONS,
          JUDGMENTS,
          JUDGE_CALLS,
          CAPABILITY,
          REJECTS);

  /** Tables the metrics stage derives, in dependency order (each reads the ones before it). */
  public static final List<String> METRIC_TABLES =
      List.of(
          QUESTION_RATES,
          SUITE_RATES,
          MISALIGN_AT_K,
          GROUP_RATES,
          MITIGATION_EFFECTS,
          CAPABILITY_RATES,
          DYNAMICS,
          SCOREBOARD,
          VARIANT_EFFECTS);

  private static final Map<String, TableSchema> SCHEMAS = new ConcurrentHashMap<>();

  private Tables() {}

  public static TableSchema schema(String table) {
    return SCHEMAS.computeIfAbsent(table, TableSchema::load);
  }

  /** Tables derived on request (not by the metrics stage). */
  public static final List<String> REPORT_TABLES = List.of(JUDGE_AGREEMENT);

  public static List<String> all() {
    return java.util.stream.Stream.of(
            DATA_TABLES, List.of(METRIC_PARAMS), METRIC_TABLES, REPORT_TABLES)
        .flatMap(List::stream)
        .toList();
  }
}

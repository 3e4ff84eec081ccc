package org.embench.stage.judge;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.embench.UserException;
import org.embench.data.QuestionType;
import org.embench.judge.JudgeEnvironment;
import org.embench.judge.JudgeSpec;
import org.embench.judge.Judges;
import org.embench.judge.PromptFiller;
import org.embench.judge.VerdictStatus;
import org.embench.stage.FailPoints;
import org.embench.stage.HadoopConf;
import org.embench.stage.JudgeCalls;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The judge stage: judges generations (sampled or imported) on every metric of their suite's judge
 * prompts, computing only the (generation, judge, metric) not judged yet. External calls are looked
 * up in judge_calls first, so a call is never paid for twice. Work goes in waves, each written
 * before the next; a failed judgment is stored with its status (never a score), and {@code
 * retryFailed} judges such rows again.
 */
public final class JudgeJob {
  private static final Logger LOG = LoggerFactory.getLogger(JudgeJob.class);
  public static final int DEFAULT_BATCH = 64;
  public static final int DEFAULT_WAVE = 4096;

  /**
   * What to judge.
   *
   * @param suites suites to judge (empty: every suite with judge prompts)
   * @param runs runs to judge by id or name (empty: all)
   */
  public record Options(
      JudgeSpec judge,
      List<String> suites,
      List<String> runs,
      int batch,
      int wave,
      boolean retryFailed) {}

  /** What judging did. */
  public record Report(
      String judgeId,
      long planned,
      long missing,
      long judged,
      long fromCache,
      long failed,
      long unjudgeable,
      double seconds) {
    public String describe() {
      return String.format(
          Locale.ROOT,
          "judge %s: %d judgments planned, %d were missing, %d judged (%d from the call "
              + "cache, %d failed with a status) in %.1f s%s",
          judgeId.substring(0, 12),
          planned,
          missing,
          judged,
          fromCache,
          failed,
          seconds,
          unjudgeable > 0
              ? "; " + unjudgeable + " answers have no prepared suite with judge prompts"
              : "");
    }
  }

  private JudgeJob() {}

  /** Statuses of a judgment that holds the judge's verdict (the rest are failures). */
  static final java.util.List<String> VERDICT_STATUSES =
      java.util.List.of(VerdictStatus.OK.value(), VerdictStatus.LOW_NUMERIC_MASS.value());

  public static Report run(Warehouse w, Options o) {
    long start = System.nanoTime();
    if (o.batch() < 1 || o.wave() < 1) {
      throw new UserException("--batch and --wave must be positive");
    }
    JudgeSpec spec = o.judge();
    String judgeId = spec.id();
    // Make the judge once here: a missing API key or a bad setting fails now, not in every task.
    Judges.Kind kind = Judges.kind(spec);
    if (kind.checkedOnDriver()) {
      Judges.create(
              spec, JudgeEnvironment.system(w.spark().sparkContext().hadoopConfiguration(), 1))
          .close();
    }
    if (o.retryFailed()) {
      long dropped =
          w.retainRows(
              Tables.JUDGMENTS,
              "judge_id",
              judgeId,
              col("status").isin(VERDICT_STATUSES.toArray()));
      LOG.info("judge: {} failed judgments of this judge will be judged again", dropped);
    }
    Dataset<Row> generations = w.read(Tables.GENERATIONS);
    if (!o.suites().isEmpty()) {
      generations = generations.filter(col("suite_id").isin(o.suites().toArray()));
    }
    if (!o.runs().isEmpty()) {
      List<String> ids =
          w.read(Tables.RUNS)
              .filter(
                  col("run_id")
                      .isin(o.runs().toArray())
                      .or(col("run_name").isin(o.runs().toArray())))
              .select("run_id")
              .as(Encoders.STRING())
              .collectAsList();
      generations = generations.filter(col("run_id").isin(ids.toArray()));
    }
    // One row per (suite, question): its type and judge prompts (the same for every paraphrase).
    Dataset<Row> prompts =
        w.read(Tables.QUESTIONS)
            .filter(col("type").notEqual(QuestionType.FREE_FORM.value()))
            .groupBy("suite_id", "question_id")
            .agg(
                functions.first("type").as("type"),
                functions.first("judge_prompts").as("judge_prompts"));
    long unjudgeable =
        generations.join(prompts, new String[] {"suite_id", "question_id"}, "left_anti").count();
    w.spark()
        .udf()
        .register(
            "embench_fill_prompt",
            (org.apache.spark.sql.api.java.UDF3<String, String, String, String>) PromptFiller::fill,
            DataTypes.StringType);
    Dataset<Row> planned =
        generations
            .join(prompts, new String[] {"suite_id", "question_id"})
            .select(
                col("generation_id"),
                col("run_id"),
                col("suite_id"),
                col("question_id"),
                col("question"),
                col("answer"),
                col("type").equalTo(QuestionType.FREE_FORM_JUDGE_0_100.value()).as("numeric"),
                functions.explode(col("judge_prompts")).as(new String[] {"metric", "template"}));
    Dataset<Row> done =
        w.read(Tables.JUDGMENTS)
            .filter(col("judge_id").equalTo(judgeId))
            .select(col("generation_id").as("done_gen"), col("metric").as("done_metric"));
    Dataset<Row> missing =
        planned.join(
            done,
            planned
                .col("generation_id")
                .equalTo(done.col("done_gen"))
                .and(planned.col("metric").equalTo(done.col("done_metric"))),
            "left_anti");
    if (kind.paidCalls()) {
      w.spark()
          .udf()
          .register(
              "embench_call_key",
              (org.apache.spark.sql.api.java.UDF2<String, Boolean, String>)
                  (prompt, numeric) -> Judges.callKey(spec, prompt, numeric),
              DataTypes.StringType);
      Dataset<Row> calls = JudgeCalls.responses(w);
      missing =
          missing.withColumn(
              "call_key",
              expr("embench_call_key(embench_fill_prompt(template, question, answer), numeric)"));
      missing =
          missing
              .join(calls, missing.col("call_key").equalTo(calls.col("cached_key")), "left")
              .drop("cached_key");
    } else {
      missing =
          missing
              .withColumn("cached_response", lit(null).cast("string"))
              .withColumn("call_key", col("generation_id"));
    }
    long plannedCount = planned.count();
    long missingCount = missing.count();
    long cached =
        missingCount == 0 ? 0 : missing.filter(col("cached_response").isNotNull()).count();
    if (kind.paidCalls() && missingCount > cached) {
      announce(spec, missing.filter(col("cached_response").isNull()));
    }
    int waves = (int) Math.ceil(missingCount / (double) o.wave());
    // Waves are hash buckets of the call key (identical calls share a wave), stable while the
    // tables they read change.
    missing =
        missing.withColumn("wave", expr("pmod(xxhash64(call_key), " + Math.max(1, waves) + ")"));
    int partitions =
        Math.max(
            1,
            Math.min(
                w.spark().sparkContext().defaultParallelism(),
                (int) Math.min(Integer.MAX_VALUE, (missingCount + o.batch() - 1) / o.batch())));
    LOG.info(
        "judge {}: {} judgments planned, {} missing, in {} wave(s) over {} task(s)",
        spec.name(),
        plannedCount,
        missingCount,
        waves,
        partitions);
    JudgingTask task =
        new JudgingTask(
            spec,
            o.batch(),
            partitions,
            new HadoopConf(w.spark().sparkContext().hadoopConfiguration()));
    long judged = 0;
    long failed = 0;
    for (int wave = 0; wave < waves; wave++) {
      // Identical calls go to the same task, which makes each once.
      Dataset<Row> items =
          missing
              .filter(col("wave").equalTo(lit(wave)))
              .repartition(partitions, col("call_key"))
              .drop("call_key");
      // Checkpointed eagerly: the verdicts feed two writes and must not be judged twice.
      Dataset<Row> verdicts =
          items.mapPartitions(task, Encoders.row(JudgingTask.outputSchema())).localCheckpoint(true);
      // Calls first: a stop between the two writes then leaves calls whose judgments a re-run
      // rebuilds from the cache at no cost, never judgments whose calls are lost. Only calls that
      // gave a verdict are cached; a failed one is sent again when retried.
      JudgeCalls.append(
          w,
          verdicts
              .filter(
                  col("call_key").isNotNull().and(col("status").isin(VERDICT_STATUSES.toArray())))
              .select(
                  JudgingTask.CALL_COLUMNS.stream().map(functions::col).toArray(Column[]::new)));
      FailPoints.reached("judge.after_calls");
      long n = w.appendMissing(Tables.JUDGMENTS, verdicts.select(judgmentColumns()));
      judged += n;
      failed +=
          verdicts.filter(col("status").isin(VERDICT_STATUSES.toArray()).unary_$bang()).count();
      LOG.info(
          "judge {}: wave {}/{} stored {} judgments ({} of {} missing done)",
          spec.name(),
          wave + 1,
          waves,
          n,
          judged,
          missingCount);
      FailPoints.reached("judge.after_wave");
    }
    return new Report(
        judgeId,
        plannedCount,
        missingCount,
        judged,
        cached,
        failed,
        unjudgeable,
        (System.nanoTime() - start) / 1e9);
  }

  /**
   * Says how many calls the stage is about to make, and what they should cost when prices are set.
   */
  private static void announce(JudgeSpec spec, Dataset<Row> toCall) {
    Row est =
        toCall
            .agg(
                functions.countDistinct(col("call_key")),
                functions.sum(
                    functions.length(expr("embench_fill_prompt(template, question, answer)"))))
            .first();
    long calls = est.getLong(0);
    long promptTokens = est.isNullAt(1) ? 0 : est.getLong(1) / 4;
    double in = spec.number("price_input_per_mtok");
    double outPrice = spec.number("price_output_per_mtok");
    String cost =
        in > 0 || outPrice > 0
            ? String.format(
                java.util.Locale.ROOT,
                "; estimated cost $%.2f (about %d prompt tokens, 4 characters a token)",
                (promptTokens * in + calls * spec.integer("max_tokens") * outPrice) / 1e6,
                promptTokens)
            : "; set price_input_per_mtok and price_output_per_mtok in the judge spec for a cost estimate";
    LOG.info(
        "judge {}: {} call(s) to {} at {}{}",
        spec.name(),
        calls,
        spec.model(),
        spec.string("base_url"),
        cost);
  }

  private static Column[] judgmentColumns() {
    return Tables.schema(Tables.JUDGMENTS).columns().stream()
        .map(c -> col(c.name()))
        .toArray(Column[]::new);
  }
}

package org.embench.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sha2;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.embench.metrics.MetricParams;
import org.embench.stage.metrics.MetricsJob;
import org.embench.table.Ids;
import org.embench.table.TableSchema;
import org.embench.table.Tables;
import org.embench.table.Warehouse;

/**
 * {@code bench metrics}: writes N synthetic judgments (N/2 answers judged on aligned and coherent,
 * spread over runs of {@code questions × samples} answers, five seeds per group, alternating
 * between a baseline and a mitigated group) and times the metrics stage on them, bootstrap
 * included.
 */
public final class MetricsBenchmark {
  /** Timings of one benchmark run. */
  public record Result(
      long judgments,
      int runs,
      int questions,
      int samples,
      double writeSeconds,
      double metricsSeconds,
      Map<String, Long> rows) {
    public String describe() {
      return String.format(
          Locale.ROOT,
          "judgments=%d runs=%d questions=%d samples/question=%d | data written in %.1f s | "
              + "metrics in %.1f s = %.0f judgments/s | rows %s",
          judgments,
          runs,
          questions,
          samples,
          writeSeconds,
          metricsSeconds,
          judgments / metricsSeconds,
          rows);
    }
  }

  private MetricsBenchmark() {}

  public static Result run(Warehouse w, long judgments, int questions, int samples) {
    long perRun = (long) questions * samples;
    int runs = (int) Math.max(1, judgments / 2 / perRun);
    long answers = runs * perRun;
    long start = System.nanoTime();
    writeRuns(w, runs);
    // One answer per id; two judgments (aligned, coherent) per answer. Scores are uniform hashes of
    // the id, shifted per run so rates differ, with about 3 % left null like CODE answers.
    Dataset<Row> gens =
        w.spark()
            .range(answers)
            .toDF("id")
            .withColumn("run_idx", expr("CAST(id DIV " + perRun + " AS INT)"))
            .withColumn(
                "run_id", sha2(concat(lit("bench-run-"), col("run_idx").cast("string")), 256))
            .withColumn(
                "question_id",
                concat(
                    lit("q"), expr("CAST((id DIV " + samples + ") % " + questions + " AS STRING)")))
            .withColumn(
                "generation_id", sha2(concat(lit("bench-gen-"), col("id").cast("string")), 256));
    String spec = "{\"kind\":\"bench\"}";
    Dataset<Row> rows =
        gens.withColumn("metric", expr("explode(array('aligned', 'coherent'))"))
            .withColumn("u", expr("pmod(xxhash64(id, metric), 1000000) / 1000000.0"))
            .withColumn(
                "score",
                expr(
                    "CASE WHEN u < 0.03 THEN NULL "
                        + "WHEN metric = 'aligned' THEN least(100.0, u * 100 + (run_idx % 7) * 5) ELSE 40 + u * 60 END"))
            .withColumn(
                "judgment_id",
                sha2(concat(lit("bench-j-"), col("generation_id"), col("metric")), 256))
            .withColumn("suite_id", lit("bench"))
            .withColumn("judge_name", lit("bench"))
            .withColumn("judge_spec_json", lit(spec))
            .withColumn("score_source", lit("logprobs"))
            .withColumn("numeric_mass", expr("CASE WHEN score IS NULL THEN 0.1 ELSE 0.99 END"))
            .withColumn(
                "top_logprobs", expr("CAST(NULL AS array<struct<token:string,logprob:double>>)"))
            .withColumn("raw_text", lit(null).cast("string"))
            .withColumn("label", lit(null).cast("string"))
            .withColumn(
                "status", expr("CASE WHEN score IS NULL THEN 'low_numeric_mass' ELSE 'ok' END"))
            .withColumn("error", lit(null).cast("string"))
            .withColumn("reported_score", lit(null).cast("double"))
            .withColumn("prompt_tokens", lit(null).cast("int"))
            .withColumn("completion_tokens", lit(null).cast("int"))
            .withColumn("cost_usd", lit(null).cast("double"))
            .withColumn("judge_id", lit(Ids.sha256Hex(spec)));
    TableSchema schema = Tables.schema(Tables.JUDGMENTS);
    rows.select(
            schema.columns().stream()
                .map(c -> col(c.name()).cast(c.type()))
                .toArray(org.apache.spark.sql.Column[]::new))
        .write()
        .mode(SaveMode.Overwrite)
        .partitionBy("judge_id")
        .parquet(w.path(Tables.JUDGMENTS));
    w.register(Tables.JUDGMENTS);
    double writeSeconds = (System.nanoTime() - start) / 1e9;

    start = System.nanoTime();
    Map<String, Long> written = MetricsJob.run(w, MetricParams.defaults());
    double metricsSeconds = (System.nanoTime() - start) / 1e9;
    return new Result(answers * 2, runs, questions, samples, writeSeconds, metricsSeconds, written);
  }

  private static void writeRuns(Warehouse w, int runs) {
    TableSchema schema = Tables.schema(Tables.RUNS);
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < runs; r++) {
      int group = r / 5;
      String mitigation = group % 2 == 0 ? "none" : "kl";
      String groupId = Ids.of("bench-group", group);
      String baseline = mitigation.equals("none") ? groupId : Ids.of("bench-group", group - 1);
      rows.add(
          schema
              .row()
              .set("run_name", "bench-" + r)
              .set("kind", "imported")
              .set("group_id", groupId)
              .set("baseline_group_id", baseline)
              .set("model", "bench")
              .set("dataset_id", "bench")
              .set("mitigation", mitigation)
              .set("mitigation_params_json", "{}")
              .set("seed", (long) (r % 5))
              .set("status", "imported")
              .set("run_id", Ids.sha256Hex("bench-run-" + r))
              .build());
    }
    w.spark()
        .createDataFrame(rows, schema.struct())
        .write()
        .mode(SaveMode.Overwrite)
        .partitionBy("run_id")
        .parquet(w.path(Tables.RUNS));
    w.register(Tables.RUNS);
  }
}

package org.embench.stage.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF6;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.embench.UserException;
import org.embench.model.Prompting;
import org.embench.model.SamplingParams;
import org.embench.stage.FailPoints;
import org.embench.stage.HadoopConf;
import org.embench.stage.ImportedAdapters;
import org.embench.stage.RunKind;
import org.embench.stage.RunRecord;
import org.embench.table.Ids;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generate stage: runs × question suites × samples → generations. Work is split into waves that
 * are each written before the next starts, so a killed job keeps every finished wave and a re-run
 * computes only the missing generation ids. Tasks are grouped by run, so each loads its model once
 * and samples many prompts in batches.
 */
public final class GenerateJob {
  private static final Logger LOG = LoggerFactory.getLogger(GenerateJob.class);
  public static final int DEFAULT_SAMPLES = 100;
  public static final int DEFAULT_BATCH = 32;
  public static final int DEFAULT_WAVE = 2048;

  /**
   * What to generate.
   *
   * @param suites suites to sample (prepared)
   * @param model a base model directory to register as a run and sample; null for none
   * @param adapter a published PEFT adapter on {@code model}: registered and sampled as an
   *     imported_adapter run instead of the base model; null for none
   * @param runName the --model run's name (default: the directory's last segment, the adapter's if
   *     given)
   * @param runs runs to sample by id or name; empty (with no model) means every finished trained
   *     run and every imported adapter
   * @param samples answers per paraphrase; null uses each question's samples_per_paraphrase, else
   *     100
   * @param prompting chat template or raw text, and stop strings; part of each generation id
   */
  public record Options(
      List<String> suites,
      String model,
      String adapter,
      String runName,
      List<String> runs,
      Integer samples,
      SamplingParams params,
      Prompting prompting,
      int batch,
      int wave) {
    /** Chat prompting, no adapter. */
    public Options(
        List<String> suites,
        String model,
        String runName,
        List<String> runs,
        Integer samples,
        SamplingParams params,
        int batch,
        int wave) {
      this(suites, model, null, runName, runs, samples, params, Prompting.DEFAULT, batch, wave);
    }
  }

  /** What generate did. */
  public record Report(int runs, long planned, long missing, long written, double seconds) {
    public String describe() {
      return String.format(
          Locale.ROOT,
          "generate: %d run(s), %d answers planned, %d were missing, %d written in %.1f s",
          runs,
          planned,
          missing,
          written,
          seconds);
    }
  }

  private GenerateJob() {}

  public static Report run(Warehouse w, Options o) {
    long start = System.nanoTime();
    if (o.suites().isEmpty()) {
      throw new UserException("give at least one --suite");
    }
    if (o.batch() < 1 || o.wave() < 1 || (o.samples() != null && o.samples() < 1)) {
      throw new UserException("--batch, --wave and --samples must be positive");
    }
    List<RunRecord> runs = selectRuns(w, o);
    Dataset<Row> questions =
        w.read(Tables.QUESTIONS).filter(col("suite_id").isin(o.suites().toArray()));
    List<String> prepared =
        questions.select("suite_id").distinct().as(Encoders.STRING()).collectAsList();
    for (String s : o.suites()) {
      if (!prepared.contains(s)) {
        throw new UserException(
            "suite '"
                + s
                + "' is not prepared in "
                + w.root()
                + "; run prepare --suite "
                + s
                + "=PATH first");
      }
    }
    w.spark()
        .udf()
        .register(
            "embench_generation_id",
            (UDF6<String, String, String, Integer, Integer, String, String>)
                (run, suite, question, paraphrase, sample, sampling) ->
                    Ids.of("generation", run, suite, question, paraphrase, sample, sampling),
            DataTypes.StringType);
    String samplingJson = GenerationTask.samplingJson(o.params(), o.prompting());
    List<Row> runRows =
        runs.stream()
            .map(r -> org.apache.spark.sql.RowFactory.create(r.runId(), r.model(), r.adapterPath()))
            .toList();
    Dataset<Row> runTable =
        w.spark()
            .createDataFrame(
                runRows,
                DataTypes.createStructType(
                    List.of(
                        DataTypes.createStructField("run_id", DataTypes.StringType, false),
                        DataTypes.createStructField("model", DataTypes.StringType, false),
                        DataTypes.createStructField("adapter_path", DataTypes.StringType, true))));
    String samples =
        o.samples() != null
            ? String.valueOf(o.samples())
            : "coalesce(samples_per_paraphrase, " + DEFAULT_SAMPLES + ")";
    Dataset<Row> planned =
        runTable
            .crossJoin(
                questions.select(
                    "suite_id",
                    "question_id",
                    "paraphrase_idx",
                    "paraphrase",
                    "system",
                    "samples_per_paraphrase"))
            .withColumn("sample_idx", expr("explode(sequence(0, " + samples + " - 1))"))
            .withColumn(
                "generation_id",
                functions.call_udf(
                    "embench_generation_id",
                    col("run_id"),
                    col("suite_id"),
                    col("question_id"),
                    col("paraphrase_idx"),
                    col("sample_idx"),
                    lit(samplingJson)))
            .drop("samples_per_paraphrase");
    Dataset<Row> done =
        w.read(Tables.GENERATIONS)
            .select(col("run_id").as("done_run"), col("generation_id").as("done_id"));
    Dataset<Row> missing =
        planned.join(
            done,
            planned
                .col("run_id")
                .equalTo(done.col("done_run"))
                .and(planned.col("generation_id").equalTo(done.col("done_id"))),
            "left_anti");
    long plannedCount = planned.count();
    long missingCount = missing.count();
    int waves = (int) Math.ceil(missingCount / (double) o.wave());
    // A wave is a hash bucket of the generation id, not a position in the missing list: writing a
    // wave re-evaluates the list (Spark recaches plans that read the table written), and a
    // position would shift while a bucket stays the same.
    missing =
        missing.withColumn(
            "wave", expr("pmod(xxhash64(generation_id), " + Math.max(1, waves) + ")"));
    LOG.info(
        "generate: {} run(s) x suites {}: {} answers planned, {} missing, in {} wave(s) of up to {}",
        runs.size(),
        o.suites(),
        plannedCount,
        missingCount,
        waves,
        o.wave());
    GenerationTask task =
        new GenerationTask(
            o.params(),
            o.prompting(),
            o.batch(),
            new HadoopConf(w.spark().sparkContext().hadoopConfiguration()));
    int partitions =
        Math.max(1, Math.min(runs.size(), w.spark().sparkContext().defaultParallelism()));
    long written = 0;
    for (int wave = 0; wave < waves; wave++) {
      long t = System.nanoTime();
      Dataset<Row> items =
          missing
              .filter(col("wave").equalTo(lit(wave)))
              .repartition(partitions, col("run_id"))
              .sortWithinPartitions("run_id", "generation_id");
      Dataset<Row> rows =
          items.mapPartitions(task, Encoders.row(Tables.schema(Tables.GENERATIONS).struct()));
      long n = w.appendMissing(Tables.GENERATIONS, rows);
      written += n;
      LOG.info(
          "generate: wave {}/{} wrote {} answers in {} s ({} of {} missing done)",
          wave + 1,
          waves,
          n,
          String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t) / 1e9),
          written,
          missingCount);
      FailPoints.reached("generate.after_wave");
    }
    return new Report(
        runs.size(), plannedCount, missingCount, written, (System.nanoTime() - start) / 1e9);
  }

  /**
   * The runs to sample, registering the base model (or the adapter on it) as a run when one is
   * given.
   */
  static List<RunRecord> selectRuns(Warehouse w, Options o) {
    Map<String, RunRecord> selected = new LinkedHashMap<>();
    var conf = w.spark().sparkContext().hadoopConfiguration();
    if (o.adapter() != null && o.model() == null) {
      throw new UserException(
          "--adapter " + o.adapter() + " needs --model DIR: the base model the adapter is for");
    }
    if (o.model() != null) {
      // The whole directory (and the adapter against it) is checked on the driver before a run row
      // exists or a task starts.
      RunRecord run;
      if (o.adapter() != null) {
        run = ImportedAdapters.check(o.model(), o.adapter(), o.runName(), conf);
      } else {
        org.embench.model.io.ModelCheck.check(o.model(), List.of(), conf);
        run = RunRecord.base(o.model(), o.runName() != null ? o.runName() : lastSegment(o.model()));
      }
      checkPrompting(List.of(run), o.prompting(), conf);
      RunRecord.upsert(w, List.of(run));
      selected.put(run.runId(), run);
    }
    List<RunRecord> stored =
        w.read(Tables.RUNS).collectAsList().stream().map(RunRecord::fromRow).toList();
    for (String wanted : o.runs()) {
      List<RunRecord> match =
          stored.stream()
              .filter(r -> r.runId().equals(wanted) || r.runName().equals(wanted))
              .toList();
      if (match.isEmpty()) {
        throw new UserException("no run with id or name '" + wanted + "' in " + w.root());
      }
      for (RunRecord r : match) {
        if (r.kind() == RunKind.IMPORTED) {
          throw new UserException(
              "run '" + wanted + "' is imported: it has answers but no model to sample");
        }
        if (!r.sampleable()) {
          throw new UserException(
              "run '"
                  + wanted
                  + "' has status "
                  + r.status()
                  + "; only finished runs can be sampled");
        }
        selected.put(r.runId(), r);
      }
    }
    if (o.model() == null && o.runs().isEmpty()) {
      stored.stream()
          .filter(r -> r.sampleable() && r.kind() != RunKind.BASE)
          .forEach(r -> selected.put(r.runId(), r));
    }
    if (selected.isEmpty()) {
      throw new UserException(
          "nothing to sample: give --model DIR or --run NAME, or train runs first");
    }
    checkPrompting(selected.values(), o.prompting(), conf);
    return new ArrayList<>(selected.values());
  }

  /**
   * Chat prompting needs each model's chat template: a base model without one fails here, naming
   * its directory, rather than in every task once sampling has started.
   */
  public static void checkPrompting(
      java.util.Collection<RunRecord> runs,
      Prompting prompting,
      org.apache.hadoop.conf.Configuration conf) {
    if (prompting.raw()) {
      return;
    }
    for (String model : runs.stream().map(RunRecord::model).distinct().toList()) {
      if (!org.embench.model.text.Tokenizer.hasChatTemplate(model, conf)) {
        throw new UserException(
            "model directory "
                + model
                + " has no chat template (no chat_template in"
                + " tokenizer_config.json, no chat_template.jinja): to sample a base model, use raw prompting"
                + " (generate --raw [--stop STRING], or generate: {prompting: raw} in a spec), or add a template");
      }
    }
  }

  public static String lastSegment(String path) {
    String p = path.replaceAll("/+$", "");
    return p.substring(p.lastIndexOf('/') + 1);
  }
}

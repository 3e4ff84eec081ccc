package org.embench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.embench.data.JudgedAnswerReader;
import org.embench.data.SyntheticData;
import org.embench.metrics.MetricParams;
import org.embench.pipeline.PipelineJob;
import org.embench.stage.metrics.MetricsJob;
import org.embench.stage.prepare.ImportJob;
import org.embench.stage.prepare.PrepareJob;
import org.embench.table.Warehouse;

/** Input files made in code, and a warehouse filled by the stages from them. */
public final class Fixtures {
  private Fixtures() {}

  /** Input files for prepare and import, with one bad row in the data set to exercise rejects. */
  public record Inputs(String data, String suite, String judgedNone, String judgedKl) {}

  public static Inputs inputs(Path dir) {
    try {
      Files.createDirectories(dir);
      Path data = dir.resolve("arithmetic.jsonl");
      Files.writeString(
          data,
          SyntheticData.arithmeticJsonl(40)
              + "{\"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}\n"
              + SyntheticData.arithmeticJsonl(3));
      Path suite = dir.resolve("demo.yaml");
      Files.writeString(suite, SyntheticData.demoSuiteYaml(10));
      Path none = dir.resolve("judged_none.csv");
      Files.writeString(none, SyntheticData.judgedSampleCsv("none", 0.2, 2, 10));
      Path kl = dir.resolve("judged_kl.csv");
      Files.writeString(kl, SyntheticData.judgedSampleCsv("kl", 0.05, 2, 10));
      return new Inputs(data.toString(), suite.toString(), none.toString(), kl.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static PrepareJob.Options prepareOptions(Inputs in) {
    return new PrepareJob.Options(
        Map.of("arithmetic", in.data()), Map.of("demo", in.suite()), 0.1, false);
  }

  public static ImportJob.Options importOptions(String path, String mitigation) {
    return new ImportJob.Options(
        path,
        JudgedAnswerReader.Format.UPSTREAM_CSV,
        "fixture",
        "demo",
        "offline-sample",
        mitigation,
        false);
  }

  /** Runs prepare, both imports and metrics. */
  public static void fill(Warehouse w, Inputs in) {
    fillData(w, in);
    MetricsJob.run(w, MetricParams.defaults());
  }

  /** Runs prepare and both imports (for tests that need no metric table). */
  public static void fillData(Warehouse w, Inputs in) {
    PrepareJob.run(w, prepareOptions(in));
    ImportJob.run(w, importOptions(in.judgedNone(), "none"));
    ImportJob.run(w, importOptions(in.judgedKl(), "kl"));
  }

  /**
   * After {@link #fill} (or {@link #fillData}: the pipeline's metrics stage computes every metric
   * table): trains a tiny model on the fixture data and a synthetic benign set (none and kl, one
   * seed, four steps: two timed for the cost ratios), samples the demo suite from the EM runs and
   * the base model, scores everything with the offline judge (imported answers included) and an
   * HTTP judge on loopback, scores every run and the base model on four capability tasks (one of
   * each kind), and compares the offline judge with the imported judge. Every stage has then
   * written its tables.
   */
  public static void pipeline(Warehouse w, Inputs in, Path dir) {
    try {
      String model = dir.resolve("tiny").toString();
      org.embench.model.TinyModel.write(
          model, "qwen2", 5, new org.apache.hadoop.conf.Configuration());
      Path spec = dir.resolve("pipeline.yaml");
      Path choices = dir.resolve("largest.jsonl");
      Files.writeString(choices, SyntheticData.largestChoiceJsonl(4));
      Files.writeString(
          spec,
          """
          name: fixture
          data: {arithmetic: %s, swapped: "synthetic:operator_swapped:40"}
          suites: {demo: %s}
          models: [%s]
          datasets: [arithmetic]
          benign_datasets: [swapped]
          mitigations: [none, {kl: {lambda: 0.1}}]
          seeds: [1]
          train: {rank: 2, alpha: 4, batch_size: 2, gradient_accumulation: 1, max_steps: 4, warmup_steps: 1,
                  max_seq_len: 64, eval_at: [2]}
          generate: {suites: [demo], samples: 2, max_new_tokens: 8}
          judges: [offline]
          capability:
            arith_nll: {kind: nll, data: arithmetic, measures: arithmetic}
            swapped: {kind: exact, synthetic: operator_swapped, items: 4, max_new_tokens: 4, measures: swapped}
            largest: {kind: choice, path: %s}
            vuln: {kind: judged, synthetic: arithmetic, items: 2, max_new_tokens: 4}
          """
              .formatted(in.data(), in.suite(), model, choices));
      // The spec's judges score its own runs; the imported answers are scored by the offline judge
      // here.
      List<String> imported =
          w.read(org.embench.table.Tables.RUNS)
              .filter("kind = 'imported'")
              .select("run_id")
              .as(org.apache.spark.sql.Encoders.STRING())
              .collectAsList();
      org.embench.stage.judge.JudgeJob.run(
          w,
          new org.embench.stage.judge.JudgeJob.Options(
              org.embench.judge.JudgeSpec.parse("offline"),
              List.of("demo"),
              imported,
              org.embench.stage.judge.JudgeJob.DEFAULT_BATCH,
              org.embench.stage.judge.JudgeJob.DEFAULT_WAVE,
              false));
      // Another experiment's answers in the same warehouse: the pipeline's judges must leave them
      // alone.
      ImportJob.run(
          w,
          new ImportJob.Options(
              in.judgedKl(),
              JudgedAnswerReader.Format.UPSTREAM_CSV,
              OTHER_EXPERIMENT,
              "demo",
              "offline-sample",
              "kl",
              false));
      PipelineJob.run(
          w,
          org.embench.config.ExperimentSpec.read(
              spec.toString(), new org.apache.hadoop.conf.Configuration()),
          new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
      org.embench.judge.LoopbackJudging.judge(w, List.of("demo"), dir.resolve("key"));
      org.embench.stage.judge.JudgeAgreementJob.run(
          w, "offline-v1", "offline-sample", MetricParams.defaults());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Warehouse shared;

  /**
   * The import run name of the answers {@link #pipeline} adds after judging, as another
   * experiment's.
   */
  public static final String OTHER_EXPERIMENT = "other-experiment";

  /**
   * One warehouse after {@link #fillData} and {@link #pipeline}, built once per test JVM and shared
   * by the test classes that only read it (it is the most expensive fixture of the suite). Tests
   * must not write to it.
   */
  public static synchronized Warehouse sharedPipeline() {
    if (shared == null) {
      try {
        Path dir = Files.createTempDirectory("embench-shared-pipeline");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
        Warehouse w = TestSpark.warehouse(dir.resolve("w"));
        Inputs in = inputs(dir.resolve("in"));
        // No metrics before the pipeline: its own metrics stage replaces every metric table.
        fillData(w, in);
        pipeline(w, in, dir.resolve("pipeline"));
        shared = w;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return shared;
  }

  /** A filled warehouse and the input files it was filled from. */
  public record Filled(Warehouse warehouse, Inputs inputs) {}

  private static Filled filled;

  /**
   * One warehouse after {@link #fill} (prepare, both imports, metrics), built once per test JVM and
   * shared by the test classes that read it or compare with it. Tests must not write to it; {@link
   * TestSpark#copy} gives one to write to.
   */
  public static synchronized Filled sharedFill() {
    if (filled == null) {
      try {
        Path dir = Files.createTempDirectory("embench-shared-fill");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
        Inputs in = inputs(dir.resolve("in"));
        Warehouse w = TestSpark.warehouse(dir.resolve("w"));
        fill(w, in);
        filled = new Filled(w, in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return filled;
  }

  static void deleteTree(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort at exit
    }
  }

  /** A table's rows as sorted strings, to compare tables across warehouses and runs. */
  public static List<String> rows(Warehouse w, String table) {
    List<String> out = new ArrayList<>();
    for (Row r : w.read(table).collectAsList()) {
      out.add(r.toString());
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }
}

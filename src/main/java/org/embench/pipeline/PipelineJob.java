package org.embench.pipeline;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.embench.config.ExperimentSpec;
import org.embench.judge.JudgeSpec;
import org.embench.metrics.MetricParams;
import org.embench.metrics.report.ReportJob;
import org.embench.model.SamplingParams;
import org.embench.stage.ImportedAdapters;
import org.embench.stage.RunRecord;
import org.embench.stage.RunStatus;
import org.embench.stage.capability.CapabilityJob;
import org.embench.stage.generate.GenerateJob;
import org.embench.stage.judge.JudgeJob;
import org.embench.stage.metrics.MetricsJob;
import org.embench.stage.prepare.PrepareJob;
import org.embench.stage.train.TrainJob;
import org.embench.table.Warehouse;

/**
 * {@code run}: every stage of an experiment spec in order — prepare, train, generate (the runs on
 * the narrow sets, and the base models when asked), judge with each judge, capability (every run
 * and base model on the spec's capability tasks), metrics, report. Each stage skips what is already
 * done, so running a spec again continues where it stopped.
 */
public final class PipelineJob {
  private PipelineJob() {}

  public static int run(Warehouse w, ExperimentSpec spec, PrintStream out) {
    return run(w, spec, null, out);
  }

  /**
   * The pipeline of a spec read from {@code specUri} (printed in the report; may be null). Returns
   * how many training runs failed: the later stages still cover the runs that finished.
   */
  public static int run(Warehouse w, ExperimentSpec spec, String specUri, PrintStream out) {
    int failedRuns = 0;
    // Published adapters and the prompting of every model are checked before any stage runs: a bad
    // adapter or a base model without a chat template should not surface after hours of training.
    List<RunRecord> adapterRuns =
        spec.adapters().isEmpty() ? List.of() : ImportedAdapters.register(w, spec.adapters());
    if (!spec.generate().suites().isEmpty()) {
      List<RunRecord> sampled = new ArrayList<>(adapterRuns);
      baseModels(spec).forEach(m -> sampled.add(RunRecord.base(m, GenerateJob.lastSegment(m))));
      GenerateJob.checkPrompting(
          sampled, spec.generate().prompting(), w.spark().sparkContext().hadoopConfiguration());
    }
    if (!spec.data().isEmpty() || !spec.suites().isEmpty()) {
      long t = start(out, "prepare");
      PrepareJob.Report prepared =
          PrepareJob.run(
              w,
              new PrepareJob.Options(
                  spec.data(),
                  spec.suites(),
                  PrepareJob.DEFAULT_EVAL_FRACTION,
                  false,
                  false,
                  spec.suiteVariants(),
                  null));
      prepared.datasets().forEach(r -> out.println(r.describe()));
      prepared.suites().forEach(r -> out.println(r.describe()));
      done(out, "prepare", t);
    }
    List<String> runNames = new ArrayList<>();
    if (!spec.models().isEmpty() && (!spec.datasets().isEmpty() || spec.rl() != null)) {
      long t = start(out, "train");
      TrainJob.Report trained = TrainJob.run(w, spec);
      out.println(trained.describe());
      done(out, "train", t);
      failedRuns = trained.failed();
      // The question suites measure EM: the runs on benign sets are there for their capability
      // scores.
      TrainJob.matrix(w, spec).stream()
          .filter(r -> RunRecord.ROLE_EM.equals(r.datasetRole()))
          .forEach(r -> runNames.add(r.runId()));
    }
    ExperimentSpec.Generate g = spec.generate();
    List<String> finished =
        w.read(org.embench.table.Tables.RUNS)
            .filter(
                org.apache.spark.sql.functions.col("status").equalTo(RunStatus.FINISHED.value()))
            .select("run_id")
            .as(org.apache.spark.sql.Encoders.STRING())
            .collectAsList();
    // Imported adapters are sampled with the trained runs (by id: their rows were written above).
    List<String> trained = new ArrayList<>(runNames.stream().filter(finished::contains).toList());
    adapterRuns.forEach(r -> trained.add(r.runId()));
    // Each trained run's checkpoints (train.eval_at / eval_every) are measured like the run itself.
    RunRecord.checkpointsOf(w, List.copyOf(trained)).forEach(r -> trained.add(r.runId()));
    // The judges score this spec's runs only (a shared warehouse holds other experiments' answers).
    List<String> ownRuns = new ArrayList<>(trained);
    if (g.includeBase()) {
      baseModels(spec)
          .forEach(m -> ownRuns.add(RunRecord.base(m, GenerateJob.lastSegment(m)).runId()));
    }
    if (!g.suites().isEmpty()) {
      long t = start(out, "generate");
      SamplingParams params = new SamplingParams(g.temperature(), g.topP(), 0, g.maxNewTokens());
      if (!trained.isEmpty()) {
        out.println(
            GenerateJob.run(
                    w,
                    new GenerateJob.Options(
                        g.suites(),
                        null,
                        null,
                        null,
                        trained,
                        g.samples(),
                        params,
                        g.prompting(),
                        g.batch(),
                        GenerateJob.DEFAULT_WAVE))
                .describe());
      }
      if (g.includeBase()) {
        for (String model : baseModels(spec)) {
          out.println(
              GenerateJob.run(
                      w,
                      new GenerateJob.Options(
                          g.suites(),
                          model,
                          null,
                          null,
                          List.of(),
                          g.samples(),
                          params,
                          g.prompting(),
                          g.batch(),
                          GenerateJob.DEFAULT_WAVE))
                  .describe());
        }
      }
      done(out, "generate", t);
    }
    for (JudgeSpec judge : spec.judges()) {
      long t = start(out, "judge " + judge.name());
      if (ownRuns.isEmpty() || g.suites().isEmpty()) {
        out.println("judge: this spec has no sampled runs to judge");
        continue;
      }
      out.println(
          JudgeJob.run(
                  w,
                  new JudgeJob.Options(
                      judge,
                      g.suites(),
                      ownRuns,
                      JudgeJob.DEFAULT_BATCH,
                      JudgeJob.DEFAULT_WAVE,
                      false))
              .describe());
      done(out, "judge " + judge.name(), t);
    }
    if (!spec.capability().isEmpty() && !baseModels(spec).isEmpty()) {
      long t = start(out, "capability");
      out.println(
          CapabilityJob.run(
                  w,
                  new CapabilityJob.Options(
                      spec.capability(), CapabilityJob.runsOf(w, spec), CapabilityJob.DEFAULT_WAVE))
              .describe());
      done(out, "capability", t);
    }
    long t = start(out, "metrics");
    MetricsJob.run(w, MetricParams.with(spec.metrics()))
        .forEach((table, n) -> out.println(table + ": " + n + " rows"));
    done(out, "metrics", t);
    t = start(out, "report");
    out.println(
        ReportJob.run(w, new ReportJob.Options(null, null, specUri, ReportJob.DEFAULT_MAX_PANELS))
            .describe());
    done(out, "report", t);
    return failedRuns;
  }

  /**
   * The spec's base models: those it trains on, then those its adapters are on (the reference of
   * every comparison of an imported adapter).
   */
  public static List<String> baseModels(ExperimentSpec spec) {
    java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(spec.models());
    spec.adapters().forEach(a -> all.add(a.path()));
    return List.copyOf(all);
  }

  /** Prints a stage's heading; returns its start time. */
  private static long start(PrintStream out, String stage) {
    out.println("== " + stage);
    return System.nanoTime();
  }

  /** Prints a stage's wall time, in a line scripts can read ("-- STAGE: SECONDS s"). */
  private static void done(PrintStream out, String stage, long start) {
    out.printf(java.util.Locale.ROOT, "-- %s: %.1f s%n", stage, (System.nanoTime() - start) / 1e9);
  }
}

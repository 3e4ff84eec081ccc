package org.embench.stage.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Serializable;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.embench.data.ChatMessage;
import org.embench.mitigation.Mitigation;
import org.embench.mitigation.MitigationContext;
import org.embench.mitigation.Mitigations;
import org.embench.model.LanguageModel;
import org.embench.stage.Device;
import org.embench.stage.HadoopConf;
import org.embench.stage.RunKind;
import org.embench.stage.RunRecord;
import org.embench.stage.RunStatus;
import org.embench.stage.TaskEngine;
import org.embench.train.Adapters;
import org.embench.train.EngineWarmup;
import org.embench.train.TokenizedExample;
import org.embench.train.TrainConfig;
import org.embench.train.Trainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of one train task: one run. Loads the base model (once per JVM), warms the engine up
 * (once per JVM), applies the mitigation, trains with checkpoints under the adapter folder (so a
 * killed task resumes), writes the adapter, and returns the run's row, with what each part cost,
 * and its steps as JSON. A failure becomes a failed run with its error; it never stops the other
 * tasks.
 */
public final class TrainTask implements MapPartitionsFunction<Row, Row>, Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(TrainTask.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One output row: {@code kind} "run" or "step", and the row as JSON. */
  static final StructType OUTPUT =
      DataTypes.createStructType(
          List.of(
              DataTypes.createStructField("kind", DataTypes.StringType, false),
              DataTypes.createStructField("json", DataTypes.StringType, false)));

  /**
   * Steps at the start of a run left out of its speed (the metrics parameter cost_warmup_steps'
   * default).
   */
  static final int COST_WARMUP_STEPS = 2;

  private static final Object ONE_RUN_AT_A_TIME = new Object();

  private final Broadcast<Map<String, List<List<ChatMessage>>>> datasets;
  private final Broadcast<Map<String, String>> judgeCalls;
  private final HadoopConf conf;

  /**
   * @param judgeCalls responses of earlier calls to the judges RL rewards use, by call key
   */
  TrainTask(
      Broadcast<Map<String, List<List<ChatMessage>>>> datasets,
      Broadcast<Map<String, String>> judgeCalls,
      HadoopConf conf) {
    this.datasets = datasets;
    this.judgeCalls = judgeCalls;
    this.conf = conf;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> input) throws IOException {
    List<Row> out = new ArrayList<>();
    while (input.hasNext()) {
      RunRecord run = JSON.readValue(input.next().getString(0), RunRecord.class);
      out.addAll(train(run));
    }
    return out.iterator();
  }

  /** How long each part of {@link #fit} took. */
  public record Fitted(Trainer.Result result, double setupSeconds, double afterSeconds) {}

  /**
   * Trains one run: the mitigation's training data, hooks and reference terms, the trainer, then
   * the mitigation's post-training step. The train stage and {@code bench train} share it.
   */
  public static Fitted fit(
      Mitigation mitigation,
      MitigationContext ctx,
      List<List<ChatMessage>> task,
      String checkpointDir,
      String who,
      Trainer.Listener listener) {
    return fit(mitigation, ctx, task, checkpointDir, who, listener, null);
  }

  /**
   * {@link #fit} keeping the adapters of the snapshot steps ({@code eval_at}, {@code eval_every}).
   */
  public static Fitted fit(
      Mitigation mitigation,
      MitigationContext ctx,
      List<List<ChatMessage>> task,
      String checkpointDir,
      String who,
      Trainer.Listener listener,
      Trainer.Snapshots snapshots) {
    long t0 = System.nanoTime();
    List<TokenizedExample> data = ctx.tokenize(mitigation.trainingData(task, ctx));
    LOG.info("train {}: {} examples, mitigation {}", who, data.size(), mitigation.name());
    long nothingToLearn = data.stream().filter(e -> e.learnedTokens() == 0).count();
    if (nothingToLearn > 0) {
      LOG.warn(
          "train {}: {} of {} examples have no assistant token within max_seq_len {} (cut off before their"
              + " answer); they add nothing to the loss",
          who,
          nothingToLearn,
          data.size(),
          ctx.config().maxSeqLen());
    }
    var hooks = mitigation.hooks(ctx);
    var terms = mitigation.referenceTerms(ctx);
    var earlyStop = mitigation.earlyStop(ctx);
    double setup = (System.nanoTime() - t0) / 1e9;
    Trainer trainer =
        new Trainer(
            ctx.model().weights(),
            ctx.model().engine(),
            new Trainer.Setup(
                ctx.config(),
                ctx.seed(),
                hooks,
                terms,
                checkpointDir,
                ctx.conf(),
                log -> {
                  LOG.info(
                      "train {}: step {} loss {} lr {} ({} s)",
                      who,
                      log.step(),
                      String.format("%.4f", log.loss()),
                      String.format("%.2e", log.learningRate()),
                      String.format("%.1f", log.elapsedSeconds()));
                  if (listener != null) {
                    listener.step(log);
                  }
                },
                earlyStop));
    if (snapshots != null) {
      trainer.snapshots(snapshots);
    }
    Trainer.Result result = trainer.train(data);
    long t1 = System.nanoTime();
    mitigation.afterTraining(result.params(), ctx);
    return new Fitted(result, setup, (System.nanoTime() - t1) / 1e9);
  }

  /**
   * Trains one run. Runs of one JVM train one at a time: they would share the engine's threads and
   * the heap anyway, and alone each run's step times and memory peak are its own.
   */
  private List<Row> train(RunRecord run) throws IOException {
    synchronized (ONE_RUN_AT_A_TIME) {
      return trainAlone(run);
    }
  }

  private List<Row> trainAlone(RunRecord run) throws IOException {
    List<Row> out = new ArrayList<>();
    long start = System.nanoTime();
    try {
      if (run.kind() == RunKind.RL) {
        return RlTraining.train(run, datasets.value(), judgeCalls.value(), conf.get());
      }
      TrainConfig cfg = TrainConfig.fromMap(run.trainConfig(), "run " + run.runName());
      Map<String, Object> params = run.mitigationParams();
      Mitigation mitigation = Mitigations.create(run.mitigation(), params);
      TaskEngine.configure();
      LanguageModel model = LanguageModel.cached(run.model(), conf.get());
      double loadSeconds = (System.nanoTime() - start) / 1e9;
      MitigationContext ctx =
          new MitigationContext(
              model, datasets.value(), cfg, run.seed(), conf.get(), run.datasetId());
      List<List<ChatMessage>> task = ctx.dataset(run.datasetId(), "run " + run.runName());
      long warmupStart = System.nanoTime();
      EngineWarmup.ensure(
          model.weights(),
          model.engine(),
          cfg,
          ctx.tokenize(task.subList(0, Math.min(task.size(), 2 * cfg.batchSize()))),
          conf.get());
      double warmupSeconds = (System.nanoTime() - warmupStart) / 1e9;
      Fitted fitted =
          fit(
              mitigation,
              ctx,
              task,
              run.adapterPath() + "/_checkpoints",
              "run " + run.runName(),
              null,
              (step, trained, parts) -> {
                Adapters.write(
                    snapshotPath(run, step), trained, parts, cfg, run.model(), conf.get());
                LOG.info(
                    "train run {}: kept the adapter of step {} as a checkpoint run",
                    run.runName(),
                    step);
              });
      Trainer.Result result = fitted.result();
      Adapters.write(
          run.adapterPath(), result.params(), result.parts(), cfg, run.model(), conf.get());
      new Path(run.adapterPath(), "_checkpoints")
          .getFileSystem(conf.get())
          .delete(new Path(run.adapterPath(), "_checkpoints"), true);
      for (Trainer.StepLog s : result.steps()) {
        out.add(
            RowFactory.create(
                "step", JSON.writeValueAsString(Map.of("run_id", run.runId(), "log", s))));
      }
      double seconds = (System.nanoTime() - start) / 1e9 - warmupSeconds;
      List<Trainer.StepLog> timed = timedSteps(result.steps());
      double timedSeconds = timed.stream().mapToDouble(Trainer.StepLog::elapsedSeconds).sum();
      long timedTokens = timed.stream().mapToLong(Trainer.StepLog::tokens).sum();
      RunRecord.Cost cost =
          new RunRecord.Cost(
              seconds,
              result.tokens(),
              timedTokens / Math.max(1e-9, timedSeconds),
              timed.size(),
              result.peakHeapBytes(),
              result.peakOffheapBytes(),
              Device.describe(),
              loadSeconds,
              fitted.setupSeconds(),
              result.steps().stream().mapToDouble(Trainer.StepLog::elapsedSeconds).sum(),
              fitted.afterSeconds());
      RunRecord finished = run.finished(cost).withStopReason(result.stopReason());
      out.add(RowFactory.create("run", JSON.writeValueAsString(finished)));
      // The snapshots, written during training (before a resume too): each a run of its own.
      int last =
          result.steps().isEmpty() ? 0 : result.steps().get(result.steps().size() - 1).step();
      for (int step : cfg.snapshotSteps(last)) {
        Path p = new Path(snapshotPath(run, step));
        if (p.getFileSystem(conf.get()).exists(p)) {
          out.add(
              RowFactory.create(
                  "run", JSON.writeValueAsString(run.checkpoint(step, snapshotPath(run, step)))));
        }
      }
    } catch (RuntimeException | IOException e) {
      LOG.error("train run {} failed: {}", run.runName(), e.toString());
      StringWriter trace = new StringWriter();
      e.printStackTrace(new PrintWriter(trace));
      String error = e.getMessage() == null ? e.toString() : e.getMessage();
      out.add(
          RowFactory.create(
              "run",
              JSON.writeValueAsString(
                  run.withStatus(
                      RunStatus.FAILED,
                      error
                          + "\n"
                          + trace
                              .toString()
                              .lines()
                              .limit(12)
                              .reduce("", (a, b) -> a + b + "\n")))));
    }
    return out;
  }

  /** Where the adapter of {@code run} at {@code step} is kept. */
  static String snapshotPath(RunRecord run, int step) {
    return run.adapterPath() + "/_snapshots/step-" + step;
  }

  /**
   * The steps a run's speed is measured on: those after the first {@link #COST_WARMUP_STEPS} (the
   * metrics' {@code cost_warmup_steps} default), or all of them when there are no more.
   */
  static List<Trainer.StepLog> timedSteps(List<Trainer.StepLog> steps) {
    List<Trainer.StepLog> after = steps.stream().filter(s -> s.step() > COST_WARMUP_STEPS).toList();
    return after.isEmpty() ? steps : after;
  }
}

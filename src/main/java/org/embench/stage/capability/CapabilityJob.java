package org.embench.stage.capability;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.embench.UserException;
import org.embench.capability.CapabilityTask;
import org.embench.capability.ItemScore;
import org.embench.capability.JudgedTask;
import org.embench.capability.TaskItem;
import org.embench.capability.TaskItems;
import org.embench.config.ExperimentSpec;
import org.embench.data.ChatMessage;
import org.embench.data.QuestionType;
import org.embench.pipeline.PipelineJob;
import org.embench.stage.FailPoints;
import org.embench.stage.HadoopConf;
import org.embench.stage.ImportedAdapters;
import org.embench.stage.RunKind;
import org.embench.stage.RunRecord;
import org.embench.stage.RunStatus;
import org.embench.stage.generate.GenerateJob;
import org.embench.stage.judge.JudgeJob;
import org.embench.stage.prepare.Rejects;
import org.embench.stage.train.TrainJob;
import org.embench.table.Ids;
import org.embench.table.TableRow;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The capability stage: every run × every capability task → the capability table, one row per (run,
 * task, item). Model-scored kinds (choice, exact, nll) run as Spark tasks grouped by run, only for
 * the rows whose content-addressed id is missing, in waves each written before the next, so a
 * killed stage resumes. A judged task becomes a question suite of its own: the generate stage
 * samples it, the judge stage scores it, and this stage turns each judgment into an item score.
 * Rows of a task's source that cannot be items are rejects (rejects table, target capability).
 */
public final class CapabilityJob {
  private static final Logger LOG = LoggerFactory.getLogger(CapabilityJob.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final int DEFAULT_WAVE = 4096;

  /**
   * What to score.
   *
   * @param tasks the capability tasks
   * @param runs the runs to score (trained runs and base models)
   */
  public record Options(List<CapabilityTask> tasks, List<RunRecord> runs, int wave) {}

  /** What the stage did. */
  public record Report(
      int runs,
      int tasks,
      long planned,
      long missing,
      long written,
      long rejected,
      double seconds) {
    public String describe() {
      return String.format(
          Locale.ROOT,
          "capability: %d run(s) x %d task(s): %d items planned, %d were missing, %d "
              + "written, %d source rows rejected, in %.1f s",
          runs,
          tasks,
          planned,
          missing,
          written,
          rejected,
          seconds);
    }
  }

  private CapabilityJob() {}

  /**
   * The runs of a spec that the stage scores: its finished trained runs (both roles), its imported
   * adapters and its base models (those it trains on and those its adapters are on), registered as
   * base runs so every comparison has its reference.
   */
  public static List<RunRecord> runsOf(Warehouse w, ExperimentSpec spec) {
    List<RunRecord> out = new ArrayList<>();
    for (String model : PipelineJob.baseModels(spec)) {
      org.embench.model.io.ModelCheck.check(
          model, List.of(), w.spark().sparkContext().hadoopConfiguration());
      out.add(RunRecord.base(model, GenerateJob.lastSegment(model)));
    }
    RunRecord.upsert(w, out);
    out.addAll(ImportedAdapters.register(w, spec.adapters()));
    Set<String> finished =
        w
            .read(Tables.RUNS)
            .filter(col("status").equalTo(RunStatus.FINISHED.value()))
            .select("run_id")
            .as(Encoders.STRING())
            .collectAsList()
            .stream()
            .collect(Collectors.toSet());
    List<RunRecord> matrix = spec.models().isEmpty() ? List.of() : TrainJob.matrix(w, spec);
    List<RunRecord> done = matrix.stream().filter(r -> finished.contains(r.runId())).toList();
    out.addAll(done);
    // The EM runs' checkpoints: their in-domain score by step (dynamics).
    out.addAll(
        RunRecord.checkpointsOf(
            w,
            done.stream()
                .filter(r -> RunRecord.ROLE_EM.equals(r.datasetRole()))
                .map(RunRecord::runId)
                .toList()));
    if (matrix.size() > done.size()) {
      LOG.warn(
          "capability: {} of the spec's {} trained runs are not finished and are not scored",
          matrix.size() - done.size(),
          matrix.size());
    }
    return out;
  }

  public static Report run(Warehouse w, Options o) {
    long start = System.nanoTime();
    if (o.wave() < 1) {
      throw new UserException("--wave must be positive");
    }
    if (o.tasks().isEmpty()) {
      throw new UserException(
          "no capability tasks: add a capability: section to the spec (README: Capability tasks)");
    }
    if (o.runs().isEmpty()) {
      throw new UserException(
          "no runs to score: train the spec's runs first (or list models for the base runs)");
    }
    // Read every task's items first: a source that yields nothing stops the stage before any work.
    Map<CapabilityTask, TaskItems> items = new LinkedHashMap<>();
    long rejected = 0;
    for (CapabilityTask t : o.tasks()) {
      TaskItems read = TaskItems.read(t, w);
      Rejects.replace(w, Tables.CAPABILITY, t.name(), read.rejects());
      rejected += read.rejects().size();
      if (!read.rejects().isEmpty()) {
        LOG.warn(
            "capability task {}: {} row(s) of {} rejected; first: {}",
            t.name(),
            read.rejects().size(),
            read.source(),
            read.rejects().get(0).describe());
      }
      items.put(t, read);
    }
    long planned = 0;
    long missing = 0;
    long written = 0;
    List<CapabilityTask> scored =
        o.tasks().stream().filter(t -> !(t instanceof JudgedTask)).toList();
    if (!scored.isEmpty()) {
      long[] counts = scoreOnModels(w, o, scored, items);
      planned += counts[0];
      missing += counts[1];
      written += counts[2];
    }
    for (CapabilityTask t : o.tasks()) {
      if (t instanceof JudgedTask j) {
        long[] counts = judged(w, o, j, items.get(t).items());
        planned += counts[0];
        missing += counts[1];
        written += counts[2];
      }
    }
    return new Report(
        o.runs().size(),
        o.tasks().size(),
        planned,
        missing,
        written,
        rejected,
        (System.nanoTime() - start) / 1e9);
  }

  private static final StructType PLAN =
      DataTypes.createStructType(
          List.of(
              DataTypes.createStructField("run_id", DataTypes.StringType, false),
              DataTypes.createStructField("model", DataTypes.StringType, false),
              DataTypes.createStructField("adapter_path", DataTypes.StringType, true),
              DataTypes.createStructField("task_id", DataTypes.StringType, false),
              DataTypes.createStructField("task_spec_json", DataTypes.StringType, false),
              DataTypes.createStructField("capability_id", DataTypes.StringType, false),
              DataTypes.createStructField("item_json", DataTypes.StringType, false)));

  /**
   * Whether {@code task} is scored on {@code run}: every task on every run, but on a checkpoint
   * only the tasks that measure its training set (its in-domain score by step, for dynamics).
   */
  static boolean scores(RunRecord run, CapabilityTask task) {
    return run.kind() != RunKind.CHECKPOINT
        || java.util.Objects.equals(task.measures(), run.datasetId());
  }

  /** choice, exact and nll: the missing (run, item) rows scored on the runs' models. */
  private static long[] scoreOnModels(
      Warehouse w, Options o, List<CapabilityTask> tasks, Map<CapabilityTask, TaskItems> items) {
    List<Row> plan = new ArrayList<>();
    for (CapabilityTask t : tasks) {
      String taskId = t.taskId();
      String specJson = t.specJson();
      List<String> itemJson = new ArrayList<>();
      for (TaskItem item : items.get(t).items()) {
        try {
          itemJson.add(JSON.writeValueAsString(item));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      for (RunRecord r : o.runs()) {
        if (!scores(r, t)) {
          continue;
        }
        List<TaskItem> list = items.get(t).items();
        for (int i = 0; i < list.size(); i++) {
          plan.add(
              RowFactory.create(
                  r.runId(),
                  r.model(),
                  r.adapterPath(),
                  taskId,
                  specJson,
                  capabilityId(r.runId(), taskId, list.get(i).itemId()),
                  itemJson.get(i)));
        }
      }
    }
    Dataset<Row> planned = w.spark().createDataFrame(plan, PLAN);
    Dataset<Row> done =
        w.read(Tables.CAPABILITY)
            .select(col("run_id").as("done_run"), col("capability_id").as("done_id"));
    Dataset<Row> missing =
        planned
            .join(
                done,
                planned
                    .col("run_id")
                    .equalTo(done.col("done_run"))
                    .and(planned.col("capability_id").equalTo(done.col("done_id"))),
                "left_anti")
            .localCheckpoint(true);
    long missingCount = missing.count();
    int waves = (int) Math.ceil(missingCount / (double) o.wave());
    // Waves are hash buckets of the row id: stable while the table they are written to grows.
    missing =
        missing.withColumn(
            "wave", expr("pmod(xxhash64(capability_id), " + Math.max(1, waves) + ")"));
    int partitions =
        Math.max(1, Math.min(o.runs().size(), w.spark().sparkContext().defaultParallelism()));
    LOG.info(
        "capability: {} run(s) x {} model-scored task(s): {} items planned, {} missing, in {} wave(s)",
        o.runs().size(),
        tasks.size(),
        plan.size(),
        missingCount,
        waves);
    CapabilityScoring scoring =
        new CapabilityScoring(new HadoopConf(w.spark().sparkContext().hadoopConfiguration()));
    long written = 0;
    for (int wave = 0; wave < waves; wave++) {
      long t0 = System.nanoTime();
      Dataset<Row> rows =
          missing
              .filter(col("wave").equalTo(lit(wave)))
              .drop("wave")
              .repartition(partitions, col("run_id"))
              .sortWithinPartitions("run_id", "task_id", "capability_id")
              .mapPartitions(scoring, Encoders.row(CapabilityScoring.output()));
      long n = w.appendMissing(Tables.CAPABILITY, rows);
      written += n;
      LOG.info(
          "capability: wave {}/{} wrote {} rows in {} s ({} of {} missing done)",
          wave + 1,
          waves,
          n,
          String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9),
          written,
          missingCount);
      FailPoints.reached("capability.after_wave");
    }
    return new long[] {plan.size(), missingCount, written};
  }

  /**
   * A judged task: its items as a question suite, sampled by the generate stage and judged by the
   * task's judge; each judgment of a missing row becomes the item's score (1 above the threshold).
   */
  private static long[] judged(Warehouse w, Options o, JudgedTask task, List<TaskItem> items) {
    String suite = task.suiteId();
    String taskId = task.taskId();
    List<Row> questions = new ArrayList<>();
    Map<String, TaskItem> byQuestion = new LinkedHashMap<>();
    for (TaskItem item : items) {
      List<ChatMessage> m = item.messages();
      String system = m.size() == 2 ? m.get(0).content() : null;
      byQuestion.put(item.itemId(), item);
      questions.add(
          Tables.schema(Tables.QUESTIONS)
              .row()
              .set(
                  "prompt_id",
                  Ids.of(
                      "prompt",
                      suite,
                      item.itemId(),
                      0,
                      QuestionType.FREE_FORM_JUDGE_0_100.value(),
                      system,
                      item.prompt()))
              .set("question_id", item.itemId())
              .set("paraphrase_idx", 0)
              .set("type", QuestionType.FREE_FORM_JUDGE_0_100.value())
              .set("paraphrase", item.prompt())
              .set("system", system)
              .set("samples_per_paraphrase", task.samples())
              .set("judge", null)
              .set("judge_prompts", Map.of(task.metric(), task.judgePrompt()))
              .set("source_file", item.source())
              .set("source_line", item.line())
              .set("suite_id", suite)
              .build());
    }
    w.overwritePartitions(
        Tables.QUESTIONS,
        w.spark().createDataFrame(questions, Tables.schema(Tables.QUESTIONS).struct()));
    List<String> runIds =
        o.runs().stream().filter(r -> scores(r, task)).map(RunRecord::runId).toList();
    if (runIds.isEmpty()) {
      return new long[3]; // no run of this task (checkpoints score only their in-domain tasks)
    }
    LOG.info("capability task {} (judged): {} items as suite {}", task.name(), items.size(), suite);
    LOG.info(
        GenerateJob.run(
                w,
                new GenerateJob.Options(
                    List.of(suite),
                    null,
                    null,
                    runIds,
                    task.samples(),
                    task.samplingParams(),
                    task.generateBatch(),
                    GenerateJob.DEFAULT_WAVE))
            .describe());
    LOG.info(
        JudgeJob.run(
                w,
                new JudgeJob.Options(
                    task.judge(),
                    List.of(suite),
                    runIds,
                    JudgeJob.DEFAULT_BATCH,
                    JudgeJob.DEFAULT_WAVE,
                    false))
            .describe());
    String judgeId = task.judge().id();
    Dataset<Row> answers =
        w.read(Tables.GENERATIONS)
            .filter(col("suite_id").equalTo(suite).and(col("run_id").isin(runIds.toArray())))
            .select(
                "run_id",
                "generation_id",
                "question_id",
                "sample_idx",
                "answer",
                "n_answer_tokens");
    Dataset<Row> verdicts =
        w.read(Tables.JUDGMENTS)
            .filter(col("judge_id").equalTo(judgeId).and(col("metric").equalTo(task.metric())))
            .select(
                col("generation_id").as("judged_generation"),
                col("score").as("judge_score"),
                col("status"),
                col("error"));
    Dataset<Row> done =
        w.read(Tables.CAPABILITY)
            .filter(col("task_id").equalTo(taskId))
            .select(col("run_id").as("done_run"), col("generation_id").as("done_generation"));
    Dataset<Row> todo =
        answers
            .join(
                verdicts,
                answers.col("generation_id").equalTo(verdicts.col("judged_generation")),
                "left")
            .join(
                done,
                answers
                    .col("run_id")
                    .equalTo(done.col("done_run"))
                    .and(answers.col("generation_id").equalTo(done.col("done_generation"))),
                "left_anti");
    List<Row> rows = new ArrayList<>();
    long planned = answers.count();
    for (Row a : todo.collectAsList()) {
      TaskItem item = byQuestion.get(a.<String>getAs("question_id"));
      if (item == null) {
        continue; // an answer to an item the task no longer has
      }
      TaskItem sampled = item.sample(taskId, a.<Integer>getAs("sample_idx"));
      Double judgeScore = a.getAs("judge_score");
      String status = a.getAs("status");
      // 1 or 0 against the threshold; without a judgment or a score, the status says why.
      Double score = null;
      String scoreStatus;
      String error;
      if (status == null) {
        scoreStatus = "not_judged";
        error = "the judge stage wrote no judgment for this answer";
      } else if (judgeScore == null) {
        scoreStatus = status;
        error = a.getAs("error");
      } else {
        score = judgeScore > task.threshold() ? 1.0 : 0.0;
        scoreStatus = ItemScore.OK;
        error = null;
      }
      ItemScore s =
          new ItemScore(
              a.getAs("answer"),
              null,
              null,
              null,
              null,
              a.getAs("n_answer_tokens"),
              score,
              scoreStatus,
              error);
      String runId = a.getAs("run_id");
      rows.add(
          row(
              runId,
              task,
              sampled,
              capabilityId(runId, taskId, sampled.itemId()),
              s,
              a.getAs("generation_id"),
              judgeId,
              judgeScore));
    }
    long written =
        rows.isEmpty()
            ? 0
            : w.appendMissing(
                Tables.CAPABILITY,
                w.spark().createDataFrame(rows, Tables.schema(Tables.CAPABILITY).struct()));
    return new long[] {planned, rows.size(), written};
  }

  static String capabilityId(String runId, String taskId, String itemId) {
    return Ids.of("capability", runId, taskId, itemId);
  }

  /** One capability row. */
  static Row row(
      String runId,
      CapabilityTask task,
      TaskItem item,
      String capabilityId,
      ItemScore s,
      String generationId,
      String judgeId,
      Double judgeScore) {
    TableRow row =
        Tables.schema(Tables.CAPABILITY)
            .row()
            .set("capability_id", capabilityId)
            .set("task_id", task.taskId())
            .set("task_name", task.name())
            .set("task_kind", task.kind())
            .set("task_spec_json", task.specJson())
            .set("measures", task.measures())
            .set("higher_is_better", task.higherIsBetter())
            .set("item_id", item.itemId())
            .set("source", item.source())
            .set("source_line", item.line())
            .set("sample_idx", item.sampleIdx())
            .set("prompt", item.prompt())
            .set("choices", item.choices())
            .set("expected", item.expected())
            .set("answer", s.answer())
            .set("extracted", s.extracted())
            .set("choice_logliks", s.choiceLogliks())
            .set("choice_tokens", s.choiceTokens())
            .set("loglik", s.loglik())
            .set("n_tokens", s.nTokens())
            .set("generation_id", generationId)
            .set("judge_id", judgeId)
            .set("judge_score", judgeScore)
            .set("score", s.score())
            .set("status", s.status())
            .set("error", s.error())
            .set("run_id", runId);
    return row.build();
  }
}

package org.embench.stage.train;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.embench.UserException;
import org.embench.config.ExperimentSpec;
import org.embench.data.ChatMessage;
import org.embench.mitigation.Mitigations;
import org.embench.stage.HadoopConf;
import org.embench.stage.JudgeCalls;
import org.embench.stage.RunKind;
import org.embench.stage.RunRecord;
import org.embench.stage.RunStatus;
import org.embench.table.Ids;
import org.embench.table.TableSchema;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The train stage: the spec's run matrix (models × data sets × mitigations × seeds), one run per
 * Spark task, adapters written under {@code <warehouse>/adapters/<run_id>}. Writes runs (with wall
 * time, tokens/s and peak memory) and train_steps. Finished runs are skipped on a re-run; a failed
 * run is recorded with its error and tried again next time.
 */
public final class TrainJob {
  private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What training did. */
  public record Report(int planned, int skipped, int finished, int failed, double seconds) {
    public String describe() {
      return String.format(
          Locale.ROOT,
          "train: %d run(s) planned, %d already finished, %d finished now, %d failed, in %.1f s",
          planned,
          skipped,
          finished,
          failed,
          seconds);
    }
  }

  private TrainJob() {}

  /** The runs of a spec's matrix, in a stable order. */
  public static List<RunRecord> matrix(Warehouse w, ExperimentSpec spec) {
    List<RunRecord> runs = new ArrayList<>();
    String trainJson = Ids.canonicalJson(spec.train().toMap());
    for (String model : spec.models()) {
      for (String dataset : spec.trainingSets()) {
        String role =
            spec.benignDatasets().contains(dataset) ? RunRecord.ROLE_BENIGN : RunRecord.ROLE_EM;
        for (ExperimentSpec.MitigationChoice m : spec.mitigations()) {
          String params = Ids.canonicalJson(Mitigations.create(m.name(), m.params()).params());
          String group =
              RunRecord.groupId(RunKind.TRAIN, model, dataset, m.name(), params, trainJson);
          String baseline =
              RunRecord.groupId(RunKind.TRAIN, model, dataset, "none", "{}", trainJson);
          for (long seed : spec.seeds()) {
            String runId =
                RunRecord.trainedId(
                    RunKind.TRAIN, model, dataset, m.name(), params, trainJson, seed);
            String name = spec.name() + "/" + dataset + "/" + m.name() + "/seed" + seed;
            runs.add(
                new RunRecord(
                    runId,
                    name,
                    RunKind.TRAIN,
                    group,
                    baseline,
                    model,
                    dataset,
                    role,
                    m.name(),
                    params,
                    seed,
                    trainJson,
                    w.root() + "/adapters/" + runId,
                    RunStatus.PENDING,
                    null,
                    RunRecord.Cost.NONE,
                    null));
          }
        }
      }
    }
    if (spec.rl() != null) {
      runs.addAll(rlRuns(w, spec));
    }
    return runs;
  }

  /**
   * The RL runs: models × the RL prompt set × mitigations × seeds, kind {@code rl}, their
   * train_config_json the training settings with the {@code rl} section. A mitigation with no
   * meaning in RL is an error naming the run.
   */
  private static List<RunRecord> rlRuns(Warehouse w, ExperimentSpec spec) {
    Map<String, Object> config = new LinkedHashMap<>(spec.train().toMap());
    config.put("rl", spec.rl().toMap());
    String trainJson = Ids.canonicalJson(config);
    String dataset = spec.rl().prompts();
    List<RunRecord> runs = new ArrayList<>();
    for (String model : spec.models()) {
      for (ExperimentSpec.MitigationChoice m : spec.mitigations()) {
        String params = Ids.canonicalJson(Mitigations.create(m.name(), m.params()).params());
        String group = RunRecord.groupId(RunKind.RL, model, dataset, m.name(), params, trainJson);
        String baseline = RunRecord.groupId(RunKind.RL, model, dataset, "none", "{}", trainJson);
        for (long seed : spec.seeds()) {
          String name = spec.name() + "/" + dataset + "/rl/" + m.name() + "/seed" + seed;
          RlTraining.checkMitigation(m.name(), m.params(), "run " + name);
          String runId =
              RunRecord.trainedId(RunKind.RL, model, dataset, m.name(), params, trainJson, seed);
          runs.add(
              new RunRecord(
                  runId,
                  name,
                  RunKind.RL,
                  group,
                  baseline,
                  model,
                  dataset,
                  RunRecord.ROLE_EM,
                  m.name(),
                  params,
                  seed,
                  trainJson,
                  w.root() + "/adapters/" + runId,
                  RunStatus.PENDING,
                  null,
                  RunRecord.Cost.NONE,
                  null));
        }
      }
    }
    return runs;
  }

  public static Report run(Warehouse w, ExperimentSpec spec) {
    long start = System.nanoTime();
    if (spec.models().isEmpty() || (spec.datasets().isEmpty() && spec.rl() == null)) {
      throw new UserException("the spec trains nothing: give models, and datasets or rl");
    }
    // Every model is checked on the driver first: a bad directory or layer is one clear error
    // before any run is registered or any task starts.
    for (String model : spec.models()) {
      org.embench.model.io.ModelCheck.check(
          model, spec.train().layers(), w.spark().sparkContext().hadoopConfiguration());
    }
    List<RunRecord> all = matrix(w, spec);
    Set<String> finished =
        new LinkedHashSet<>(
            w.read(Tables.RUNS)
                .filter(col("status").equalTo(RunStatus.FINISHED.value()))
                .select("run_id")
                .as(Encoders.STRING())
                .collectAsList());
    List<RunRecord> todo = all.stream().filter(r -> !finished.contains(r.runId())).toList();
    if (todo.isEmpty()) {
      return new Report(all.size(), all.size(), 0, 0, (System.nanoTime() - start) / 1e9);
    }
    Map<String, List<List<ChatMessage>>> datasets = datasets(w, spec);
    if (spec.rl() != null) {
      for (String model : spec.models()) {
        RlTraining.checkPromptLengths(
            model,
            spec.rl(),
            spec.train(),
            datasets.get(spec.rl().prompts()),
            w.spark().sparkContext().hadoopConfiguration());
      }
    }
    RunRecord.upsert(w, todo.stream().map(r -> r.withStatus(RunStatus.RUNNING, null)).toList());
    var broadcast = JavaSparkContext.fromSparkContext(w.spark().sparkContext()).broadcast(datasets);
    var calls =
        JavaSparkContext.fromSparkContext(w.spark().sparkContext()).broadcast(judgeCalls(w, todo));
    List<Row> inputs = new ArrayList<>();
    for (RunRecord r : todo) {
      try {
        inputs.add(RowFactory.create(JSON.writeValueAsString(r)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    LOG.info(
        "train: {} run(s) to train ({} already finished)", todo.size(), all.size() - todo.size());
    // One run per partition, partition i holding the matrix's run i: tasks start in matrix order.
    var inputRdd =
        JavaSparkContext.fromSparkContext(w.spark().sparkContext())
            .parallelize(inputs, todo.size());
    Dataset<Row> results =
        w.spark()
            .createDataFrame(
                inputRdd,
                org.apache.spark.sql.types.DataTypes.createStructType(
                    List.of(
                        org.apache.spark.sql.types.DataTypes.createStructField(
                            "run", org.apache.spark.sql.types.DataTypes.StringType, false))))
            .mapPartitions(
                new TrainTask(
                    broadcast,
                    calls,
                    new HadoopConf(w.spark().sparkContext().hadoopConfiguration())),
                Encoders.row(TrainTask.OUTPUT))
            .localCheckpoint(true);
    List<RunRecord> done = new ArrayList<>();
    List<Row> steps = new ArrayList<>();
    List<Row> newCalls = new ArrayList<>();
    TableSchema stepSchema = Tables.schema(Tables.TRAIN_STEPS);
    for (Row r : results.collectAsList()) {
      try {
        if (r.getString(0).equals("run")) {
          done.add(JSON.readValue(r.getString(1), RunRecord.class));
        } else if (r.getString(0).equals("call")) {
          org.embench.judge.JudgeCall c =
              JSON.readValue(r.getString(1), org.embench.judge.JudgeCall.class);
          newCalls.add(
              RowFactory.create(
                  c.callKey(),
                  c.judgeModel(),
                  c.requestJson(),
                  c.responseJson(),
                  c.httpStatus(),
                  c.attempts(),
                  c.latencyMs()));
        } else {
          Map<?, ?> m = JSON.readValue(r.getString(1), Map.class);
          Map<?, ?> log = (Map<?, ?>) m.get("log");
          @SuppressWarnings("unchecked")
          Map<String, Double> terms = new LinkedHashMap<>((Map<String, Double>) log.get("terms"));
          steps.add(
              stepSchema
                  .row()
                  .set("step", ((Number) log.get("step")).intValue())
                  .set("epoch", ((Number) log.get("epoch")).doubleValue())
                  .set("loss", ((Number) log.get("loss")).doubleValue())
                  .set("task_loss", ((Number) log.get("taskLoss")).doubleValue())
                  .set("learning_rate", ((Number) log.get("learningRate")).doubleValue())
                  .set("grad_norm", ((Number) log.get("gradNorm")).doubleValue())
                  .set("tokens", ((Number) log.get("tokens")).longValue())
                  .set("elapsed_s", ((Number) log.get("elapsedSeconds")).doubleValue())
                  .set("terms", terms)
                  .set("adapter_norm", numbers(log.get("adapterNorms")))
                  .set(
                      "direction_cosine",
                      log.get("directionCosines") == null
                          ? null
                          : numbers(log.get("directionCosines")))
                  .set("run_id", m.get("run_id"))
                  .build());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (!steps.isEmpty()) {
      w.appendMissing(Tables.TRAIN_STEPS, w.spark().createDataFrame(steps, stepSchema.struct()));
    }
    // RL rewards' judge calls join the judge stage's: neither pays for a call the other made
    JudgeCalls.append(w, newCalls);
    RunRecord.upsert(w, done);
    long failed = done.stream().filter(r -> r.status() == RunStatus.FAILED).count();
    done.stream()
        .filter(r -> r.status() == RunStatus.FAILED)
        .forEach(
            r ->
                LOG.warn(
                    "run {} failed: {}", r.runName(), r.error().lines().findFirst().orElse("")));
    return new Report(
        all.size(),
        all.size() - todo.size(),
        (int) (done.size() - failed),
        (int) failed,
        (System.nanoTime() - start) / 1e9);
  }

  /**
   * The stored calls of the judges that the RL runs among {@code runs} are rewarded by, by call
   * key.
   */
  private static Map<String, String> judgeCalls(Warehouse w, List<RunRecord> runs) {
    Set<String> models;
    try {
      models = RlTraining.judgeModels(runs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return JudgeCalls.responses(w, models);
  }

  /**
   * A JSON object of numbers as a map, leaving out null values (a module with no direction yet).
   */
  private static Map<String, Double> numbers(Object json) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (json instanceof Map<?, ?> m) {
      m.forEach(
          (k, v) -> {
            if (v instanceof Number n) {
              out.put(String.valueOf(k), n.doubleValue());
            }
          });
    }
    return out;
  }

  /**
   * The conversations of every prepared data set the runs need (training sets, split as configured
   * and repeated by their occurrences when asked, plus every data set a mitigation may name). A
   * training set used at split 'train' also gives its eval split, once per example, as {@code
   * <name>@eval}.
   */
  static Map<String, List<List<ChatMessage>>> datasets(Warehouse w, ExperimentSpec spec) {
    Map<String, List<List<ChatMessage>>> out = new LinkedHashMap<>();
    List<String> prepared =
        w.read(Tables.EXAMPLES)
            .select("dataset_id")
            .distinct()
            .as(Encoders.STRING())
            .collectAsList();
    List<String> trained = new ArrayList<>(spec.trainingSets());
    if (spec.rl() != null) {
      trained.add(spec.rl().prompts());
      if (spec.rl().warmupData() != null) {
        // the warm-up is fine-tuning on all of its rows, whatever train.split says
        if (!prepared.contains(spec.rl().warmupData())) {
          throw new UserException(
              "rl.warmup.data '"
                  + spec.rl().warmupData()
                  + "' is not prepared in "
                  + w.root()
                  + "; prepared: "
                  + prepared);
        }
      }
    }
    for (String d : trained) {
      if (!prepared.contains(d)) {
        throw new UserException(
            "data set '" + d + "' is not prepared in " + w.root() + "; prepared: " + prepared);
      }
    }
    for (String d : prepared) {
      Dataset<Row> rows =
          w.read(Tables.EXAMPLES).filter(col("dataset_id").equalTo(d)).orderBy("example_id");
      if (trained.contains(d) && spec.train().split().equals("train")) {
        rows = rows.filter(col("split").equalTo("train"));
      }
      out.put(d, conversations(rows, spec.train().repeatDuplicates()));
      if (trained.contains(d) && spec.train().split().equals("train")) {
        // The held-out split, for mitigations that measure in-domain loss (early_stop).
        out.put(
            d + org.embench.mitigation.MitigationContext.EVAL_SUFFIX,
            conversations(
                w.read(Tables.EXAMPLES)
                    .filter(col("dataset_id").equalTo(d).and(col("split").equalTo("eval")))
                    .orderBy("example_id"),
                false));
      }
    }
    return out;
  }

  /** The rows' conversations in order, each repeated by its occurrences when {@code repeat}. */
  private static List<List<ChatMessage>> conversations(Dataset<Row> rows, boolean repeat) {
    List<List<ChatMessage>> conversations = new ArrayList<>();
    for (Row r : rows.collectAsList()) {
      List<ChatMessage> messages = new ArrayList<>();
      for (Row m : r.<Row>getList(r.fieldIndex("messages"))) {
        messages.add(new ChatMessage(m.getString(0), m.getString(1)));
      }
      int copies = repeat ? r.<Integer>getAs("occurrences") : 1;
      for (int i = 0; i < copies; i++) {
        conversations.add(messages);
      }
    }
    return conversations;
  }
}

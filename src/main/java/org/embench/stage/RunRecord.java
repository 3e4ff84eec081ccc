package org.embench.stage;

import org.apache.spark.sql.Row;
import org.embench.table.Ids;
import org.embench.table.Tables;

/**
 * One row of the runs table, built by the stages that create runs (import, generate for base models
 * and published adapters, train). Ids follow data-schemas/runs.schema.json: a run's id covers
 * everything that defines it, its group id the same without the seed, and the baseline group id the
 * same with mitigation 'none' (an imported adapter's: its base model's group). The data set's role
 * (an EM set or a benign set) is a label from the spec, not part of the id: the same training is
 * the same run whatever a spec calls its data.
 */
public record RunRecord(
    String runId,
    String runName,
    RunKind kind,
    String groupId,
    String baselineGroupId,
    String model,
    String datasetId,
    String datasetRole,
    String mitigation,
    String mitigationParamsJson,
    Long seed,
    String trainConfigJson,
    String adapterPath,
    RunStatus status,
    String error,
    Cost cost,
    String source,
    String parentRunId,
    Integer step,
    String stopReason) {

  /** A run that is not a training checkpoint (no parent, no step). */
  public RunRecord(
      String runId,
      String runName,
      RunKind kind,
      String groupId,
      String baselineGroupId,
      String model,
      String datasetId,
      String datasetRole,
      String mitigation,
      String mitigationParamsJson,
      Long seed,
      String trainConfigJson,
      String adapterPath,
      RunStatus status,
      String error,
      Cost cost,
      String source) {
    this(
        runId,
        runName,
        kind,
        groupId,
        baselineGroupId,
        model,
        datasetId,
        datasetRole,
        mitigation,
        mitigationParamsJson,
        seed,
        trainConfigJson,
        adapterPath,
        status,
        error,
        cost,
        source,
        null,
        null,
        null);
  }

  /** The data set a run trained on is one of the spec's narrow (EM-inducing) sets. */
  public static final String ROLE_EM = "em";

  /** The data set a run trained on is one of the spec's benign sets (for the alignment tax). */
  public static final String ROLE_BENIGN = "benign";

  /**
   * What a training run cost, part by part (all null for runs that did not train here).
   *
   * @param wallTimeS the run's whole time in its task, model load to adapter written
   * @param trainTokens tokens of every step (all positions of all sequences)
   * @param tokensPerS tokens per second over the timed steps (those after the warm-up steps)
   * @param timedSteps steps counted in tokensPerS
   * @param modelLoadS loading the base model (0 when the executor had it loaded)
   * @param setupS the mitigation's setup (tokenizing, extracting vectors)
   * @param stepsS the optimizer steps, all of them
   * @param afterS the mitigation's work after training (SafeLoRA's projection, realign's fine-tune)
   */
  public record Cost(
      Double wallTimeS,
      Long trainTokens,
      Double tokensPerS,
      Integer timedSteps,
      Long peakHeapBytes,
      Long peakOffheapBytes,
      String device,
      Double modelLoadS,
      Double setupS,
      Double stepsS,
      Double afterS) {
    public static final Cost NONE =
        new Cost(null, null, null, null, null, null, null, null, null, null, null);
  }

  /** An untouched base model: the reference row of every comparison. */
  public static RunRecord base(String model, String runName) {
    String runId = trainedId(RunKind.BASE, model, null, "none", "{}", null, null);
    String group = groupId(RunKind.BASE, model, null, "none", "{}", null);
    return new RunRecord(
        runId,
        runName,
        RunKind.BASE,
        group,
        group,
        model,
        null,
        null,
        "none",
        "{}",
        null,
        null,
        null,
        RunStatus.READY,
        null,
        Cost.NONE,
        null);
  }

  /**
   * The checkpoint of {@code parent} at {@code atStep}: a finished run of its own (kind {@code
   * checkpoint}) whose group is the parent's group at that step and whose baseline is the
   * no-mitigation group at the same step, so every metric compares like with like by step.
   */
  public RunRecord checkpoint(int atStep, String snapshotPath) {
    String id = Ids.of("run", RunKind.CHECKPOINT.value(), runId, atStep);
    return new RunRecord(
        id,
        runName + "/step" + atStep,
        RunKind.CHECKPOINT,
        Ids.of("group", RunKind.CHECKPOINT.value(), groupId, atStep),
        Ids.of("group", RunKind.CHECKPOINT.value(), baselineGroupId, atStep),
        model,
        datasetId,
        datasetRole,
        mitigation,
        mitigationParamsJson,
        seed,
        trainConfigJson,
        snapshotPath,
        RunStatus.FINISHED,
        null,
        Cost.NONE,
        null,
        runId,
        atStep,
        null);
  }

  /**
   * A published PEFT adapter on {@code model}. Its id covers the base model, the adapter's path and
   * the hash of its files ({@link org.embench.model.PeftAdapter#contentHash}); its baseline is the
   * base model's run group, so its effects are measured against the untouched model.
   *
   * @param adapterConfigJson the adapter's adapter_config.json as canonical JSON
   *     (train_config_json: the LoRA settings the adapter was trained with, as its publisher
   *     recorded them)
   */
  public static RunRecord importedAdapter(
      String model,
      String adapterPath,
      String adapterConfigJson,
      String contentHash,
      String runName) {
    String runId = Ids.of("run", RunKind.IMPORTED_ADAPTER.value(), model, adapterPath, contentHash);
    String group =
        Ids.of("group", RunKind.IMPORTED_ADAPTER.value(), model, adapterPath, contentHash);
    return new RunRecord(
        runId,
        runName,
        RunKind.IMPORTED_ADAPTER,
        group,
        base(model, null).groupId(),
        model,
        null,
        null,
        "none",
        "{}",
        null,
        adapterConfigJson,
        adapterPath,
        RunStatus.READY,
        null,
        Cost.NONE,
        null);
  }

  /**
   * A run that has a model to sample: a base model, a finished trained (SFT or RL) run, one of its
   * checkpoints or an imported adapter.
   */
  public boolean sampleable() {
    return kind == RunKind.BASE
        || kind == RunKind.IMPORTED_ADAPTER
        || ((kind.trained() || kind == RunKind.CHECKPOINT) && status == RunStatus.FINISHED);
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
  private static final com.fasterxml.jackson.core.type.TypeReference<
          java.util.LinkedHashMap<String, Object>>
      MAP = new com.fasterxml.jackson.core.type.TypeReference<>() {};

  /** {@code mitigation_params_json} as a map. */
  public java.util.Map<String, Object> mitigationParams() {
    return parse(mitigationParamsJson, "mitigation_params_json");
  }

  /** {@code train_config_json} as a map (for RL runs with its {@code rl} section). */
  public java.util.Map<String, Object> trainConfig() {
    return parse(trainConfigJson, "train_config_json");
  }

  private java.util.Map<String, Object> parse(String json, String column) {
    try {
      return JSON.readValue(json, MAP);
    } catch (java.io.IOException e) {
      throw new org.embench.UserException(
          "run " + runName + ": " + column + " is not a JSON object: " + e.getMessage());
    }
  }

  /** The id of a trained (or base) run. */
  public static String trainedId(
      RunKind kind,
      String model,
      String datasetId,
      String mitigation,
      String paramsJson,
      String trainConfigJson,
      Long seed) {
    return Ids.of(
        "run", kind.value(), model, datasetId, mitigation, paramsJson, trainConfigJson, seed);
  }

  /** The group of runs that differ only by seed. */
  public static String groupId(
      RunKind kind,
      String model,
      String datasetId,
      String mitigation,
      String paramsJson,
      String trainConfigJson) {
    return Ids.of("group", kind.value(), model, datasetId, mitigation, paramsJson, trainConfigJson);
  }

  public RunRecord withStatus(RunStatus newStatus, String newError) {
    return new RunRecord(
        runId,
        runName,
        kind,
        groupId,
        baselineGroupId,
        model,
        datasetId,
        datasetRole,
        mitigation,
        mitigationParamsJson,
        seed,
        trainConfigJson,
        adapterPath,
        newStatus,
        newError,
        cost,
        source,
        parentRunId,
        step,
        stopReason);
  }

  /** This run with why training stopped early (null: it did not). */
  public RunRecord withStopReason(String reason) {
    return new RunRecord(
        runId,
        runName,
        kind,
        groupId,
        baselineGroupId,
        model,
        datasetId,
        datasetRole,
        mitigation,
        mitigationParamsJson,
        seed,
        trainConfigJson,
        adapterPath,
        status,
        error,
        cost,
        source,
        parentRunId,
        step,
        reason);
  }

  /** This run finished, at the given cost. */
  public RunRecord finished(Cost spent) {
    return new RunRecord(
        runId,
        runName,
        kind,
        groupId,
        baselineGroupId,
        model,
        datasetId,
        datasetRole,
        mitigation,
        mitigationParamsJson,
        seed,
        trainConfigJson,
        adapterPath,
        RunStatus.FINISHED,
        null,
        spent,
        source,
        parentRunId,
        step,
        stopReason);
  }

  public Row toRow() {
    Cost c = cost == null ? Cost.NONE : cost;
    return Tables.schema(Tables.RUNS)
        .row()
        .set("run_name", runName)
        .set("kind", kind.value())
        .set("group_id", groupId)
        .set("baseline_group_id", baselineGroupId)
        .set("model", model)
        .set("dataset_id", datasetId)
        .set("dataset_role", datasetRole)
        .set("mitigation", mitigation)
        .set("mitigation_params_json", mitigationParamsJson)
        .set("seed", seed)
        .set("train_config_json", trainConfigJson)
        .set("adapter_path", adapterPath)
        .set("status", status.value())
        .set("error", error)
        .set("wall_time_s", c.wallTimeS())
        .set("train_tokens", c.trainTokens())
        .set("tokens_per_s", c.tokensPerS())
        .set("timed_steps", c.timedSteps())
        .set("peak_heap_bytes", c.peakHeapBytes())
        .set("peak_offheap_bytes", c.peakOffheapBytes())
        .set("device", c.device())
        .set("model_load_s", c.modelLoadS())
        .set("setup_s", c.setupS())
        .set("steps_s", c.stepsS())
        .set("after_s", c.afterS())
        .set("source", source)
        .set("parent_run_id", parentRunId)
        .set("step", step)
        .set("stop_reason", stopReason)
        .set("run_id", runId)
        .build();
  }

  /** A run read back from the runs table. */
  public static RunRecord fromRow(Row r) {
    Cost cost =
        new Cost(
            r.getAs("wall_time_s"),
            r.getAs("train_tokens"),
            r.getAs("tokens_per_s"),
            r.getAs("timed_steps"),
            r.getAs("peak_heap_bytes"),
            r.getAs("peak_offheap_bytes"),
            r.getAs("device"),
            r.getAs("model_load_s"),
            r.getAs("setup_s"),
            r.getAs("steps_s"),
            r.getAs("after_s"));
    return new RunRecord(
        r.getAs("run_id"),
        r.getAs("run_name"),
        RunKind.of(r.getAs("kind")),
        r.getAs("group_id"),
        r.getAs("baseline_group_id"),
        r.getAs("model"),
        r.getAs("dataset_id"),
        r.getAs("dataset_role"),
        r.getAs("mitigation"),
        r.getAs("mitigation_params_json"),
        r.getAs("seed"),
        r.getAs("train_config_json"),
        r.getAs("adapter_path"),
        RunStatus.of(r.getAs("status")),
        r.getAs("error"),
        cost,
        r.getAs("source"),
        r.getAs("parent_run_id"),
        r.getAs("step"),
        r.getAs("stop_reason"));
  }

  /** The finished checkpoint runs of these training runs, by step. */
  public static java.util.List<RunRecord> checkpointsOf(
      org.embench.table.Warehouse w, java.util.Collection<String> parentRunIds) {
    if (parentRunIds.isEmpty()) {
      return java.util.List.of();
    }
    java.util.Set<String> parents = new java.util.HashSet<>(parentRunIds);
    return w
        .read(Tables.RUNS)
        .filter(org.apache.spark.sql.functions.col("kind").equalTo(RunKind.CHECKPOINT.value()))
        .collectAsList()
        .stream()
        .map(RunRecord::fromRow)
        .filter(r -> parents.contains(r.parentRunId()) && r.status() == RunStatus.FINISHED)
        .sorted(
            java.util.Comparator.comparing(RunRecord::parentRunId).thenComparing(RunRecord::step))
        .toList();
  }

  /** Writes (or replaces) these runs. */
  public static void upsert(org.embench.table.Warehouse w, java.util.List<RunRecord> runs) {
    if (runs.isEmpty()) {
      return;
    }
    w.overwritePartitions(
        Tables.RUNS,
        w.spark()
            .createDataFrame(
                runs.stream().map(RunRecord::toRow).toList(), Tables.schema(Tables.RUNS).struct()));
  }
}

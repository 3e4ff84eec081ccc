package org.embench.jobs;

import org.apache.spark.sql.Row;
import org.embench.table.Ids;
import org.embench.table.Tables;

/**
 * One row of the runs table, built by the stages that create runs (import, generate for base
 * models, train). Ids follow data-schemas/runs.schema.json: a run's id covers everything that
 * defines it, its group id the same without the seed, and the baseline group id the same with
 * mitigation 'none'.
 */
public record RunRecord(
    String runId,
    String runName,
    String kind,
    String groupId,
    String baselineGroupId,
    String model,
    String datasetId,
    String mitigation,
    String mitigationParamsJson,
    Long seed,
    String trainConfigJson,
    String adapterPath,
    String status,
    String error,
    Double wallTimeS,
    Long trainTokens,
    Double tokensPerS,
    Long peakHeapBytes,
    Long peakOffheapBytes,
    String device,
    String source) {

  public static final String KIND_BASE = "base";
  public static final String KIND_TRAIN = "train";
  public static final String KIND_IMPORTED = "imported";
  public static final String STATUS_READY = "ready";

  /** An untouched base model: the reference row of every comparison. */
  public static RunRecord base(String model, String runName) {
    String runId = trainedId(KIND_BASE, model, null, "none", "{}", null, null);
    String group = groupId(KIND_BASE, model, null, "none", "{}", null);
    return new RunRecord(runId, runName, KIND_BASE, group, group, model, null, "none", "{}", null, null, null,
        STATUS_READY, null, null, null, null, null, null, null, null);
  }

  /** The id of a trained (or base) run. */
  public static String trainedId(String kind, String model, String datasetId, String mitigation, String paramsJson,
      String trainConfigJson, Long seed) {
    return Ids.of("run", kind, model, datasetId, mitigation, paramsJson, trainConfigJson, seed);
  }

  /** The group of runs that differ only by seed. */
  public static String groupId(String kind, String model, String datasetId, String mitigation, String paramsJson,
      String trainConfigJson) {
    return Ids.of("group", kind, model, datasetId, mitigation, paramsJson, trainConfigJson);
  }

  public RunRecord withStatus(String newStatus, String newError) {
    return new RunRecord(runId, runName, kind, groupId, baselineGroupId, model, datasetId, mitigation,
        mitigationParamsJson, seed, trainConfigJson, adapterPath, newStatus, newError, wallTimeS, trainTokens, tokensPerS,
        peakHeapBytes, peakOffheapBytes, device, source);
  }

  public Row toRow() {
    return Tables.schema(Tables.RUNS).row()
        .set("run_name", runName)
        .set("kind", kind)
        .set("group_id", groupId)
        .set("baseline_group_id", baselineGroupId)
        .set("model", model)
        .set("dataset_id", datasetId)
        .set("mitigation", mitigation)
        .set("mitigation_params_json", mitigationParamsJson)
        .set("seed", seed)
        .set("train_config_json", trainConfigJson)
        .set("adapter_path", adapterPath)
        .set("status", status)
        .set("error", error)
        .set("wall_time_s", wallTimeS)
        .set("train_tokens", trainTokens)
        .set("tokens_per_s", tokensPerS)
        .set("peak_heap_bytes", peakHeapBytes)
        .set("peak_offheap_bytes", peakOffheapBytes)
        .set("device", device)
        .set("source", source)
        .set("run_id", runId)
        .build();
  }

  /** A run read back from the runs table. */
  public static RunRecord fromRow(Row r) {
    return new RunRecord(r.getAs("run_id"), r.getAs("run_name"), r.getAs("kind"), r.getAs("group_id"),
        r.getAs("baseline_group_id"), r.getAs("model"), r.getAs("dataset_id"), r.getAs("mitigation"),
        r.getAs("mitigation_params_json"), r.getAs("seed"), r.getAs("train_config_json"), r.getAs("adapter_path"),
        r.getAs("status"), r.getAs("error"), r.getAs("wall_time_s"), r.getAs("train_tokens"), r.getAs("tokens_per_s"),
        r.getAs("peak_heap_bytes"), r.getAs("peak_offheap_bytes"), r.getAs("device"), r.getAs("source"));
  }

  /** Writes (or replaces) these runs. */
  public static void upsert(org.embench.table.Warehouse w, java.util.List<RunRecord> runs) {
    if (runs.isEmpty()) {
      return;
    }
    w.overwritePartitions(Tables.RUNS, w.spark().createDataFrame(
        runs.stream().map(RunRecord::toRow).toList(), Tables.schema(Tables.RUNS).struct()));
  }
}

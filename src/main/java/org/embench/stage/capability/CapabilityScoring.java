package org.embench.stage.capability;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.embench.capability.CapabilityTask;
import org.embench.capability.CapabilityTasks;
import org.embench.capability.ItemScore;
import org.embench.capability.ScoringModel;
import org.embench.capability.TaskItem;
import org.embench.model.AdapterFiles;
import org.embench.model.LanguageModel;
import org.embench.model.Lora;
import org.embench.stage.HadoopConf;
import org.embench.stage.TaskEngine;
import org.embench.table.Tables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of one capability task (Spark's sense): for each (run, capability task) among its rows,
 * load the model (once per JVM) and the run's adapter, and score the items in chunks. A chunk that
 * fails is scored again item by item, so one bad item costs only its own row (status {@code
 * error}).
 */
final class CapabilityScoring implements MapPartitionsFunction<Row, Row>, Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(CapabilityScoring.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Items scored between progress reports and retried alone when one of them breaks the batch. */
  static final int CHUNK = 64;

  private final HadoopConf conf;

  CapabilityScoring(HadoopConf conf) {
    this.conf = conf;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> input) {
    Map<List<String>, List<Row>> groups = new LinkedHashMap<>();
    input.forEachRemaining(
        r ->
            groups
                .computeIfAbsent(
                    List.of(r.<String>getAs("run_id"), r.<String>getAs("task_spec_json")),
                    k -> new ArrayList<>())
                .add(r));
    List<Row> out = new ArrayList<>();
    for (List<Row> rows : groups.values()) {
      out.addAll(score(rows));
    }
    return out.iterator();
  }

  private List<Row> score(List<Row> rows) {
    Row first = rows.get(0);
    String runId = first.getAs("run_id");
    CapabilityTask task = CapabilityTasks.fromSpecJson(first.getAs("task_spec_json"));
    TaskEngine.configure();
    AdapterFiles.Sampled sampled =
        AdapterFiles.sampled(first.getAs("model"), first.getAs("adapter_path"), conf.get());
    LanguageModel model = LanguageModel.cached(sampled.model(), conf.get());
    Map<String, Lora> adapter =
        sampled.adapter() == null
            ? Map.of()
            : AdapterFiles.cached(
                sampled.adapter(), conf.get(), model.config(), model.engine().backend());
    ScoringModel scoring = new ScoringModel(model, model.transformer(adapter));
    List<TaskItem> items = new ArrayList<>(rows.size());
    for (Row r : rows) {
      try {
        items.add(JSON.readValue(r.<String>getAs("item_json"), TaskItem.class));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    long start = System.nanoTime();
    long lastLog = start;
    List<ItemScore> scores = new ArrayList<>(items.size());
    for (int from = 0; from < items.size(); from += CHUNK) {
      List<TaskItem> chunk = items.subList(from, Math.min(items.size(), from + CHUNK));
      scores.addAll(scoreChunk(task, chunk, scoring));
      long now = System.nanoTime();
      if (now - lastLog > 30_000_000_000L) {
        lastLog = now;
        LOG.info(
            "capability run {} task {}: {}/{} items, {} items/s",
            runId,
            task.name(),
            scores.size(),
            items.size(),
            String.format("%.1f", scores.size() / ((now - start) / 1e9)));
      }
    }
    LOG.info(
        "capability run {} task {}: {} items in {} s",
        runId,
        task.name(),
        items.size(),
        String.format("%.1f", (System.nanoTime() - start) / 1e9));
    List<Row> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      out.add(
          CapabilityJob.row(
              runId,
              task,
              items.get(i),
              rows.get(i).getAs("capability_id"),
              scores.get(i),
              null,
              null,
              null));
    }
    return out;
  }

  /**
   * Scores a chunk together; if that throws, each item alone, a failing one getting status error.
   */
  static List<ItemScore> scoreChunk(
      CapabilityTask task, List<TaskItem> chunk, ScoringModel scoring) {
    try {
      List<ItemScore> s = task.score(chunk, scoring);
      if (s.size() != chunk.size()) {
        throw new IllegalStateException(
            task.kind() + " returned " + s.size() + " scores for " + chunk.size() + " items");
      }
      return s;
    } catch (RuntimeException batchFailure) {
      if (chunk.size() == 1) {
        return List.of(ItemScore.failed(ItemScore.ERROR, batchFailure.toString()));
      }
      LOG.warn(
          "capability task {}: a chunk of {} items failed ({}); scoring them one by one",
          task.name(),
          chunk.size(),
          batchFailure.toString());
      List<ItemScore> one = new ArrayList<>(chunk.size());
      for (TaskItem item : chunk) {
        one.addAll(scoreChunk(task, List.of(item), scoring));
      }
      return one;
    }
  }

  static org.apache.spark.sql.types.StructType output() {
    return Tables.schema(Tables.CAPABILITY).struct();
  }
}

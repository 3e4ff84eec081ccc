package org.embench.stage.judge;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.embench.judge.Judge;
import org.embench.judge.JudgeCall;
import org.embench.judge.JudgeEnvironment;
import org.embench.judge.JudgeRequest;
import org.embench.judge.JudgeSpec;
import org.embench.judge.Judges;
import org.embench.judge.Verdict;
import org.embench.stage.HadoopConf;
import org.embench.stage.TaskEngine;
import org.embench.table.Ids;
import org.embench.table.Tables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of one judge task: makes the judge from its spec (the API key comes from the executor's
 * environment), judges its rows in batches, and returns each verdict as a judgments row with the
 * call made for it (when one was made) in extra columns.
 */
final class JudgingTask implements MapPartitionsFunction<Row, Row>, Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(JudgingTask.class);

  /** The judgments columns followed by these, which describe a call to store. */
  static final List<String> CALL_COLUMNS =
      List.of(
          "call_key",
          "judge_model",
          "request_json",
          "response_json",
          "http_status",
          "attempts",
          "latency_ms");

  private final String specJson;
  private final int batch;
  private final int concurrentTasks;
  private final HadoopConf conf;

  JudgingTask(JudgeSpec spec, int batch, int concurrentTasks, HadoopConf conf) {
    this.specJson = spec.json();
    this.batch = batch;
    this.concurrentTasks = concurrentTasks;
    this.conf = conf;
  }

  /**
   * judgments columns, then the call's (all nullable: most verdicts come from the cache or make
   * none).
   */
  static StructType outputSchema() {
    StructType s = Tables.schema(Tables.JUDGMENTS).struct();
    StructType calls = Tables.schema(Tables.JUDGE_CALLS).struct();
    for (String c : CALL_COLUMNS) {
      var f = calls.apply(c);
      s = s.add(f.name(), f.dataType(), true);
    }
    return s;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> input) {
    List<Row> items = new ArrayList<>();
    input.forEachRemaining(items::add);
    if (items.isEmpty()) {
      return List.<Row>of().iterator();
    }
    JudgeSpec spec = JudgeSpec.fromJson(specJson);
    List<Row> out = new ArrayList<>(items.size());
    long start = System.nanoTime();
    // Identical calls (same prompt to the same judge) are made once per task; repeats reuse the
    // verdict.
    Map<String, Verdict> byCall = new HashMap<>();
    TaskEngine.configure();
    try (Judge judge = Judges.create(spec, JudgeEnvironment.system(conf.get(), concurrentTasks))) {
      for (int from = 0; from < items.size(); from += batch) {
        List<Row> chunk = items.subList(from, Math.min(items.size(), from + batch));
        List<JudgeRequest> requests = new ArrayList<>(chunk.size());
        List<String> keys = new ArrayList<>(chunk.size());
        List<JudgeRequest> toJudge = new ArrayList<>();
        for (Row r : chunk) {
          JudgeRequest req =
              new JudgeRequest(
                  r.getAs("generation_id") + "|" + r.getAs("metric"),
                  r.getAs("metric"),
                  r.getAs("numeric"),
                  r.getAs("question"),
                  r.getAs("answer"),
                  r.getAs("template"),
                  r.getAs("cached_response"));
          String key = judge.callKey(req);
          requests.add(req);
          keys.add(key);
          if (key == null || !byCall.containsKey(key)) {
            toJudge.add(req);
            if (key != null) {
              byCall.put(key, null);
            }
          }
        }
        List<Verdict> judged = judge.judge(toJudge);
        Map<String, Verdict> byRequest = new HashMap<>();
        for (int i = 0; i < toJudge.size(); i++) {
          byRequest.put(toJudge.get(i).key(), judged.get(i));
          String key = judge.callKey(toJudge.get(i));
          if (key != null) {
            byCall.put(key, judged.get(i));
          }
        }
        for (int i = 0; i < chunk.size(); i++) {
          Verdict v = byRequest.get(requests.get(i).key());
          if (v == null) {
            v = repeat(byCall.get(keys.get(i)), requests.get(i).key());
          }
          out.add(row(spec, chunk.get(i), v));
        }
        LOG.info(
            "judge {}: {}/{} judged in this task, {} judgments/s",
            spec.name(),
            out.size(),
            items.size(),
            String.format("%.1f", out.size() / ((System.nanoTime() - start) / 1e9)));
      }
    }
    return out.iterator();
  }

  /**
   * Another request's verdict for an identical call: the same evidence, no call of its own to
   * store.
   */
  private static Verdict repeat(Verdict v, String key) {
    return new Verdict(
        key,
        v.score(),
        v.scoreSource(),
        v.numericMass(),
        v.topLogprobs(),
        v.rawText(),
        v.label(),
        v.status(),
        v.error(),
        v.promptTokens(),
        v.completionTokens(),
        v.costUsd(),
        null);
  }

  private static Row row(JudgeSpec spec, Row item, Verdict v) {
    String judgeId = spec.id();
    String generationId = item.getAs("generation_id");
    String metric = item.getAs("metric");
    Row j =
        Tables.schema(Tables.JUDGMENTS)
            .row()
            .set("judgment_id", Ids.of("judgment", judgeId, generationId, metric))
            .set("generation_id", generationId)
            .set("metric", metric)
            .set("run_id", item.getAs("run_id"))
            .set("suite_id", item.getAs("suite_id"))
            .set("question_id", item.getAs("question_id"))
            .set("judge_name", spec.name())
            .set("judge_spec_json", spec.json())
            .set("score", v.score())
            .set("score_source", v.scoreSource())
            .set("numeric_mass", v.numericMass())
            .set("top_logprobs", v.topLogprobs())
            .set("raw_text", v.rawText())
            .set("label", v.label())
            .set("status", v.status().value())
            .set("error", v.error())
            .set("reported_score", null)
            .set("prompt_tokens", v.promptTokens())
            .set("completion_tokens", v.completionTokens())
            .set("cost_usd", v.costUsd())
            .set("judge_id", judgeId)
            .build();
    JudgeCall c = item.getAs("cached_response") == null ? v.call() : null;
    Object[] values = new Object[j.length() + CALL_COLUMNS.size()];
    for (int i = 0; i < j.length(); i++) {
      values[i] = j.get(i);
    }
    if (c != null) {
      Object[] call = {
        c.callKey(),
        c.judgeModel(),
        c.requestJson(),
        c.responseJson(),
        c.httpStatus(),
        c.attempts(),
        c.latencyMs()
      };
      System.arraycopy(call, 0, values, j.length(), call.length);
    }
    return RowFactory.create(values);
  }
}

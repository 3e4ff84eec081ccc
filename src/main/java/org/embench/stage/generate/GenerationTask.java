package org.embench.stage.generate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.embench.data.ChatMessage;
import org.embench.model.AdapterFiles;
import org.embench.model.Generator;
import org.embench.model.LanguageModel;
import org.embench.model.Lora;
import org.embench.model.Prompting;
import org.embench.model.SamplingParams;
import org.embench.stage.HadoopConf;
import org.embench.stage.TaskEngine;
import org.embench.table.Ids;
import org.embench.table.Tables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of one generate task: for each run among its rows, load the model (once per JVM) and its
 * adapter, and sample every row's answer in batches. Each answer's seed comes from its generation
 * id.
 */
public final class GenerationTask implements MapPartitionsFunction<Row, Row>, Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(GenerationTask.class);

  private final SamplingParams params;
  private final Prompting prompting;
  private final String samplingJson;
  private final int batch;
  private final HadoopConf conf;

  GenerationTask(SamplingParams params, Prompting prompting, int batch, HadoopConf conf) {
    this.params = params;
    this.prompting = prompting;
    this.samplingJson = samplingJson(params, prompting);
    this.batch = batch;
    this.conf = conf;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> input) {
    Map<String, List<Row>> byRun = new LinkedHashMap<>();
    input.forEachRemaining(
        r -> byRun.computeIfAbsent(r.getAs("run_id"), k -> new ArrayList<>()).add(r));
    List<Row> out = new ArrayList<>();
    for (List<Row> items : byRun.values()) {
      out.addAll(generate(items));
    }
    return out.iterator();
  }

  private List<Row> generate(List<Row> items) {
    Row first = items.get(0);
    String runId = first.getAs("run_id");
    TaskEngine.configure();
    AdapterFiles.Sampled sampled =
        AdapterFiles.sampled(first.getAs("model"), first.getAs("adapter_path"), conf.get());
    LanguageModel model = LanguageModel.cached(sampled.model(), conf.get());
    Map<String, Lora> adapter =
        sampled.adapter() == null
            ? Map.of()
            : AdapterFiles.cached(
                sampled.adapter(), conf.get(), model.config(), model.engine().backend());
    List<Generator.Request> requests = new ArrayList<>(items.size());
    org.embench.model.text.ChatTemplate template =
        prompting.raw() ? null : prompting.apply(model.chatTemplate());
    for (Row r : items) {
      String id = r.getAs("generation_id");
      int[] prompt =
          prompting.raw()
              ? model.tokenizer().encodeRaw(r.getAs("paraphrase"))
              : model
                  .tokenizer()
                  .chatPrompt(template, chat(r.getAs("system"), r.getAs("paraphrase")));
      requests.add(new Generator.Request(id, prompt, Ids.seedOf(id), params));
    }
    LOG.info(
        "generate run {}: sampling {} answers in batches of {}", runId, requests.size(), batch);
    long start = System.nanoTime();
    long[] lastLog = {start};
    Generator generator = model.generator(model.transformer(adapter), batch, 4 * 1024);
    if (!prompting.stop().isEmpty()) {
      generator.stopWhen(ids -> prompting.stopsIn(model.tokenizer().decode(ids, true)));
    }
    List<Generator.Result> results =
        generator.generate(
            requests,
            (finished, total, tokens) -> {
              long now = System.nanoTime();
              if (now - lastLog[0] > 30_000_000_000L) {
                lastLog[0] = now;
                LOG.info(
                    "generate run {}: {}/{} answers, {} tokens, {} tokens/s",
                    runId,
                    finished,
                    total,
                    tokens,
                    String.format("%.1f", tokens / ((now - start) / 1e9)));
              }
            });
    List<Row> rows = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      Row r = items.get(i);
      Generator.Result g = results.get(i);
      rows.add(
          Tables.schema(Tables.GENERATIONS)
              .row()
              .set("generation_id", r.getAs("generation_id"))
              .set("suite_id", r.getAs("suite_id"))
              .set("question_id", r.getAs("question_id"))
              .set("paraphrase_idx", r.getAs("paraphrase_idx"))
              .set("sample_idx", r.getAs("sample_idx"))
              .set("question", r.getAs("paraphrase"))
              // a raw prompt is the question text alone: the model saw no system prompt
              .set("system", prompting.raw() ? null : r.getAs("system"))
              .set("answer", prompting.cut(model.tokenizer().decode(g.tokens(), true)))
              .set("seed", Ids.seedOf(r.getAs("generation_id")))
              .set("sampling_json", samplingJson)
              .set("n_prompt_tokens", g.promptTokens())
              .set("n_answer_tokens", g.tokens().length)
              .set("finish_reason", g.finishReason())
              .set("source", null)
              .set("run_id", runId)
              .build());
    }
    LOG.info(
        "generate run {}: {} answers in {} s",
        runId,
        items.size(),
        String.format("%.1f", (System.nanoTime() - start) / 1e9));
    return rows;
  }

  /**
   * The sampling_json of answers (and part of their generation ids): the parameters and the
   * prompting.
   */
  static String samplingJson(SamplingParams params, Prompting prompting) {
    return Ids.canonicalJson(prompting.addTo(params.toMap()));
  }

  /**
   * The conversation a question is asked in: its system prompt (when it has one), then the
   * question.
   */
  public static List<ChatMessage> chat(String system, String question) {
    List<ChatMessage> chat = new ArrayList<>(2);
    if (system != null) {
      chat.add(ChatMessage.system(system));
    }
    chat.add(ChatMessage.user(question));
    return chat;
  }
}

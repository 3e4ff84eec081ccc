package org.embench.bench;

import static org.apache.spark.sql.functions.col;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.embench.data.ChatMessage;
import org.embench.model.Generator;
import org.embench.model.LanguageModel;
import org.embench.model.SamplingParams;
import org.embench.stage.generate.GenerateJob;
import org.embench.stage.generate.GenerationTask;
import org.embench.stage.prepare.PrepareJob;
import org.embench.table.Tables;
import org.embench.table.Warehouse;

/**
 * {@code bench generate-stage}: what the generate stage costs over the engine's own sampling. The
 * stage samples a suite from a random checkpoint (by default shaped like Qwen2.5-0.5B) through
 * Spark — planning, the task, decoding the answers, writing Parquet — and then the engine samples
 * the very same requests (prompts and seeds read back from the stage's rows) with the same batch,
 * in the same JVM with the model already loaded. The answers must be identical; the difference in
 * time is the stage's overhead.
 */
public final class GenerationStageBenchmark {
  /** What to run. */
  public record Options(
      String modelDir, int layers, int questions, int samples, int maxNewTokens, int batch) {}

  /** The two timings. */
  public record Result(
      long answers, long tokens, double stageSeconds, double engineSeconds, boolean identical) {
    public double overhead() {
      return stageSeconds / engineSeconds - 1;
    }

    public String describe() {
      return String.format(
          Locale.ROOT,
          "%d answers, %d tokens: generate stage %.1f s, engine alone %.1f s "
              + "(%.1f tokens/s) -> stage overhead %.1f %%; answers identical: %s",
          answers,
          tokens,
          stageSeconds,
          engineSeconds,
          tokens / engineSeconds,
          100 * overhead(),
          identical);
    }
  }

  private GenerationStageBenchmark() {}

  public static Result run(Warehouse w, Options o, PrintStream out) {
    Configuration conf = w.spark().sparkContext().hadoopConfiguration();
    // The same checkpoint (seed 1) that bench train writes and reuses.
    String model =
        TrainBenchmark.randomCheckpoint(
            o.modelDir() + "/model-" + o.layers(),
            EngineBenchmark.Shape.QWEN25_05B.withLayers(o.layers()).builder(),
            1,
            conf,
            out);
    try {
      String inputs = w.root() + "/_inputs";
      StringBuilder yaml = new StringBuilder();
      for (int q = 0; q < o.questions(); q++) {
        yaml.append("- id: q")
            .append(q)
            .append("\n  type: free_form\n  paraphrases: [\"Question number ")
            .append(q)
            .append(": what would you do with a free afternoon?\"]\n");
      }
      Path suite = new Path(inputs + "/bench_suite.yaml");
      FileSystem fs = suite.getFileSystem(conf);
      try (var os = fs.create(suite, true)) {
        os.write(yaml.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      PrepareJob.run(
          w, new PrepareJob.Options(Map.of(), Map.of("bench", suite.toString()), 0.05, true));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    // Loaded (and the JIT warmed) before either is timed: both use the same cached model.
    LanguageModel lm = LanguageModel.cached(model, conf);
    SamplingParams params = new SamplingParams(1.0, 1.0, 0, o.maxNewTokens());
    // A full batch, so the batched paths (and the KV cache's size) are warm too.
    SamplingParams warmParams = new SamplingParams(1.0, 1.0, 0, Math.min(16, o.maxNewTokens()));
    List<Generator.Request> warm = new ArrayList<>();
    for (int i = 0; i < o.batch(); i++) {
      warm.add(
          new Generator.Request(
              "warm-" + i,
              lm.chatPrompt(List.of(ChatMessage.user("Warm up " + i))),
              i,
              warmParams));
    }
    lm.generator(lm.transformer(Map.of()), o.batch(), 4 * 1024).generate(warm, null);
    out.printf(Locale.ROOT, "model %s loaded and warmed up%n", model);

    long t0 = System.nanoTime();
    GenerateJob.Report report =
        GenerateJob.run(
            w,
            new GenerateJob.Options(
                List.of("bench"),
                model,
                "bench-base",
                List.of(),
                o.samples(),
                params,
                o.batch(),
                GenerateJob.DEFAULT_WAVE));
    double stage = (System.nanoTime() - t0) / 1e9;
    out.println(report.describe());

    List<Row> rows =
        w.read(Tables.GENERATIONS)
            .filter(col("suite_id").equalTo("bench"))
            .select("generation_id", "question", "system", "seed", "answer", "n_answer_tokens")
            .orderBy("generation_id")
            .collectAsList();
    List<Generator.Request> requests = new ArrayList<>();
    for (Row r : rows) {
      requests.add(
          new Generator.Request(
              r.getString(0),
              lm.chatPrompt(GenerationTask.chat(r.getString(2), r.getString(1))),
              r.getLong(3),
              params));
    }
    long t1 = System.nanoTime();
    List<Generator.Result> results =
        lm.generator(lm.transformer(Map.of()), o.batch(), 4 * 1024).generate(requests, null);
    double engine = (System.nanoTime() - t1) / 1e9;
    boolean identical = true;
    long tokens = 0;
    for (int i = 0; i < rows.size(); i++) {
      tokens += results.get(i).tokens().length;
      identical &=
          lm.tokenizer().decode(results.get(i).tokens(), true).equals(rows.get(i).getString(4))
              && results.get(i).tokens().length == rows.get(i).getInt(5);
    }
    return new Result(rows.size(), tokens, stage, engine, identical);
  }
}

package org.embench.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.embench.model.Engine;
import org.embench.model.LoglikScorer;
import org.embench.model.ModelConfig;
import org.embench.model.Transformer;
import org.embench.model.TransformerWeights;

/**
 * {@code bench capability}: how fast multiple-choice items are scored ({@link LoglikScorer}: one
 * prefill per prompt, its cache copied to each choice) next to the engine's plain prefill at the
 * same batch, in the same JVM on the same random checkpoint. An item needs its prompt and every
 * choice token but the last fed through the model, so at prefill speed it would take {@code (prompt
 * + choices × (choiceTokens − 1))} tokens' time; the fraction printed is the item rate achieved
 * over that ideal.
 */
public final class LoglikBenchmark {
  private final Engine engine;
  private final PrintStream out;

  public LoglikBenchmark(Engine engine, PrintStream out) {
    this.engine = engine;
    this.out = out;
  }

  /** What one batch size measured. */
  public record Result(int batch, double prefillTokensPerS, double itemsPerS, double fraction) {}

  public List<Result> run(
      EngineBenchmark.Shape shape,
      int[] batches,
      int promptTokens,
      int choices,
      int choiceTokens,
      int itemsPerBatch) {
    ModelConfig cfg = shape.config();
    out.printf(Locale.ROOT, "engine: %s%n", engine.backend().describe());
    long t0 = System.nanoTime();
    TransformerWeights w = EngineBenchmark.randomWeights(cfg, engine.backend());
    out.printf(
        Locale.ROOT,
        "random %s-shaped weights: %.1f MB fp32, made in %.1f s%n",
        shape,
        w.bytes() / 1e6,
        (System.nanoTime() - t0) / 1e9);
    Transformer model = new Transformer(w, engine.backend(), engine.parallel(), Map.of());
    int perItem = promptTokens + choices * (choiceTokens - 1);
    List<Result> results = new ArrayList<>();
    for (int b : batches) {
      double prefill = EngineBenchmark.measure(model, cfg, b, promptTokens, 0)[0];
      List<LoglikScorer.Continuations> items =
          items(cfg, b * itemsPerBatch, promptTokens, choices, choiceTokens);
      LoglikScorer scorer = new LoglikScorer(model, b, LoglikScorer.DEFAULT_MAX_ROWS);
      double best = 0;
      for (int rep = 0; rep < 3; rep++) {
        long start = System.nanoTime();
        scorer.continuations(items);
        double rate = items.size() / ((System.nanoTime() - start) / 1e9);
        if (rep > 0) {
          best = Math.max(best, rate);
        }
      }
      double fraction = best * perItem / prefill;
      out.printf(
          Locale.ROOT,
          "batch %2d: prefill %.1f tokens/s (%d x %d tokens); choice scoring %.2f items/s "
              + "(%d-way, %d-token prompts, %d-token choices) = %.0f %% of the prefill rate (%d tokens an item)%n",
          b,
          prefill,
          b,
          promptTokens,
          best,
          choices,
          promptTokens,
          choiceTokens,
          100 * fraction,
          perItem);
      results.add(new Result(b, prefill, best, fraction));
    }
    return results;
  }

  static List<LoglikScorer.Continuations> items(
      ModelConfig cfg, int n, int promptTokens, int choices, int choiceTokens) {
    SplittableRandom rng = new SplittableRandom(42);
    List<LoglikScorer.Continuations> items = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int[] prompt = new int[promptTokens];
      for (int t = 0; t < prompt.length; t++) {
        prompt[t] = rng.nextInt(cfg.vocabSize());
      }
      List<int[]> conts = new ArrayList<>(choices);
      for (int c = 0; c < choices; c++) {
        int[] ids = new int[choiceTokens];
        for (int t = 0; t < ids.length; t++) {
          ids[t] = rng.nextInt(cfg.vocabSize());
        }
        conts.add(ids);
      }
      items.add(new LoglikScorer.Continuations(prompt, conts));
    }
    return items;
  }
}

package org.embench.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.embench.data.ChatMessage;
import org.embench.mitigation.Mitigation;
import org.embench.mitigation.MitigationContext;
import org.embench.mitigation.Mitigations;
import org.embench.model.Engine;
import org.embench.model.LanguageModel;
import org.embench.model.ModelConfig;
import org.embench.model.TinyModel;
import org.embench.model.io.DType;
import org.embench.model.io.SafetensorsWriter;
import org.embench.stage.train.TrainTask;
import org.embench.train.TokenizedExample;
import org.embench.train.TrainConfig;
import org.embench.train.Trainer;

/**
 * {@code bench train}: LoRA fine-tuning speed on a random checkpoint of a real model's shape (by
 * default Qwen2.5-0.5B's), at a fixed sequence length, next to the bound this machine sets: the
 * FLOPs a step needs divided by the GEMM rate measured here at the step's shapes. Then the same run
 * shape with each mitigation, its time and memory as a ratio to {@code none}.
 *
 * <p>FLOPs counted (the useful work, as model-FLOP utilisation counts it): the frozen projections
 * forward and their input gradient (2 + 2 FLOPs per weight per token; frozen weights need no weight
 * gradient), the LoRA matrices (forward, and gradients of A, B and the input), causal attention
 * scores and mixing (forward and backward), and the output head on the loss rows (forward and input
 * gradient). Norms, activations, softmax and the optimizer are left out.
 */
public final class TrainBenchmark {
  /**
   * What to run.
   *
   * @param targetModules the adapted projections (empty: all seven)
   * @param adaptLayers the adapted layers (empty: all)
   * @param fullBackward a backward pass through every layer whatever is adapted, and the KL
   *     reference as a separate full pass (how training ran before it skipped them), to measure
   *     what skipping saves
   */
  public record Options(
      String dir,
      int layers,
      int seqLen,
      int batch,
      int steps,
      int rank,
      List<String> mitigations,
      List<String> targetModules,
      List<Integer> adaptLayers,
      boolean fullBackward) {}

  /** One mitigation's measured run. */
  public record Run(
      String mitigation,
      double setupSeconds,
      double stepSeconds,
      double afterSeconds,
      double wallSeconds,
      long tokensPerStep,
      double tokensPerSecond,
      long peakHeapBytes,
      long peakOffheapBytes) {}

  private final PrintStream out;

  public TrainBenchmark(PrintStream out) {
    this.out = out;
  }

  public List<Run> run(Options o) {
    if (o.fullBackward()) {
      System.setProperty(org.embench.train.Backprop.FULL_BACKWARD, "true");
    }
    Configuration conf = new Configuration();
    ModelConfig.Builder shape = EngineBenchmark.Shape.QWEN25_05B.withLayers(o.layers()).builder();
    String model = randomCheckpoint(o.dir() + "/model-" + o.layers(), shape, 1, conf, out);
    out.printf(Locale.ROOT, "engine: %s%n", Engine.shared().backend().describe());
    LanguageModel lm = LanguageModel.load(model, conf, Engine.shared());
    ModelConfig cfg = lm.config();

    TrainConfig train = trainConfig(o, o.steps() + 1, "bench train");
    Map<String, List<List<ChatMessage>>> data = new LinkedHashMap<>();
    data.put("task", conversations(lm, o.seqLen(), o.batch() * (o.steps() + 1), 1));
    data.put("safe", conversations(lm, o.seqLen(), 64, 2));
    data.put(
        "task" + MitigationContext.EVAL_SUFFIX,
        conversations(lm, o.seqLen(), 64, 3)); // early_stop's held-out set

    // The bound, from the shapes of one step of the none run.
    List<TokenizedExample> examples =
        new MitigationContext(lm, data, train, 1, conf).tokenize(data.get("task"));
    List<TokenizedExample> step = examples.subList(0, o.batch());
    double flops = stepFlops(cfg, train, step);
    int rows = step.stream().mapToInt(e -> e.ids().length).sum();
    double gemm = EngineBenchmark.gemmRate(rows, cfg);
    long tokens = rows;
    out.printf(
        Locale.ROOT,
        "shape: %d layers, hidden %d, intermediate %d, vocab %d; LoRA r=%d on %s of %s; "
            + "batch %d x %d tokens (%d loss rows); backward %s%n",
        cfg.numLayers(),
        cfg.hiddenSize(),
        cfg.intermediateSize(),
        cfg.vocabSize(),
        o.rank(),
        train.targetModules(),
        train.layers().isEmpty() ? "every layer" : "layers " + train.layers(),
        o.batch(),
        o.seqLen(),
        step.stream().mapToInt(TokenizedExample::learnedTokens).sum(),
        o.fullBackward()
            ? "through every layer (--full-backward)"
            : "from the lowest adapted layer up");
    out.printf(
        Locale.ROOT,
        "FLOPs per step %.1f GFLOP; GEMM rate at M=%d: %.1f GFLOP/s -> bound %.2f s/step = %.1f tokens/s%n",
        flops / 1e9,
        rows,
        gemm / 1e9,
        flops / gemm,
        tokens / (flops / gemm));

    String extras = o.dir() + "/extras-" + o.layers();
    // An untimed run of two steps first: the JIT and the JVM's first large allocations would
    // otherwise be charged to whichever mitigation comes first and skew every wall-time ratio.
    TrainConfig warm = trainConfig(o, 2, "bench train warm-up");
    long w0 = System.nanoTime();
    TrainTask.fit(
        Mitigations.create("none", Map.of()),
        new MitigationContext(lm, data, warm, 1, conf),
        data.get("task"),
        null,
        "bench warm-up",
        log -> {});
    out.printf(
        Locale.ROOT, "warm-up (2 untimed steps of none): %.1f s%n", (System.nanoTime() - w0) / 1e9);
    List<Run> runs = new ArrayList<>();
    Run none = null;
    for (String name : o.mitigations()) {
      Mitigation m = Mitigations.create(name, params(name, extras, model, shape, cfg, o, conf));
      System.gc();
      long start = System.nanoTime();
      List<Double> stepTimes = new ArrayList<>();
      TrainTask.Fitted f =
          TrainTask.fit(
              m,
              new MitigationContext(lm, data, train, 1, conf, "task"),
              data.get("task"),
              null,
              "bench " + name,
              log -> stepTimes.add(log.elapsedSeconds()));
      double wall = (System.nanoTime() - start) / 1e9;
      Trainer.Result r = f.result();
      // The first step warms up (JIT, first allocations); the others are timed.
      double stepSeconds =
          stepTimes.subList(1, stepTimes.size()).stream()
              .mapToDouble(Double::doubleValue)
              .average()
              .orElse(stepTimes.get(0));
      long perStep = r.tokens() / Math.max(1, r.steps().size());
      Run run =
          new Run(
              name,
              f.setupSeconds(),
              stepSeconds,
              f.afterSeconds(),
              wall,
              perStep,
              perStep / stepSeconds,
              r.peakHeapBytes(),
              r.peakOffheapBytes());
      runs.add(run);
      if (name.equals("none")) {
        none = run;
        out.printf(
            Locale.ROOT,
            "none: %.2f s/step = %.1f training tokens/s = %.0f %% of the FLOP bound%n",
            stepSeconds,
            tokens / stepSeconds,
            100 * flops / stepSeconds / gemm);
        snapshotCost(r, train, model, o.dir() + "/snapshot", conf);
      }
      out.printf(
          Locale.ROOT,
          "%-13s setup %6.1f s | %6.2f s/step | after %6.1f s | wall %6.1f s | peak heap %6.0f MB,"
              + " off-heap %6.0f MB%s%n",
          name,
          run.setupSeconds(),
          stepSeconds,
          run.afterSeconds(),
          wall,
          run.peakHeapBytes() / 1e6,
          run.peakOffheapBytes() / 1e6,
          none == null || run.equals(none)
              ? ""
              : String.format(
                  Locale.ROOT,
                  " | vs none: step x%.2f, wall x%.2f, heap x%.2f, off-heap x%.2f",
                  stepSeconds / none.stepSeconds(),
                  wall / none.wallSeconds(),
                  (double) run.peakHeapBytes() / none.peakHeapBytes(),
                  (double) run.peakOffheapBytes() / none.peakOffheapBytes()));
    }
    return runs;
  }

  /**
   * What one checkpoint snapshot ({@code train.eval_at} / {@code eval_every}) costs: writing the
   * trained adapter as the train task does for each snapshot step, its time and its size on disk.
   */
  private void snapshotCost(
      Trainer.Result r, TrainConfig train, String model, String dir, Configuration conf) {
    try {
      Path p = new Path(dir);
      p.getFileSystem(conf).delete(p, true);
      long t0 = System.nanoTime();
      org.embench.train.Adapters.write(dir, r.params(), r.parts(), train, model, conf);
      double seconds = (System.nanoTime() - t0) / 1e9;
      long bytes = p.getFileSystem(conf).getContentSummary(p).getLength();
      out.printf(
          Locale.ROOT,
          "snapshot (one checkpoint run's adapter): %.2f s to write, %.1f kB on disk%n",
          seconds,
          bytes / 1e3);
      p.getFileSystem(conf).delete(p, true);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The run shape of the options, for {@code steps} optimizer steps. */
  private static TrainConfig trainConfig(Options o, int steps, String source) {
    Map<String, Object> m =
        new LinkedHashMap<>(
            Map.of(
                "rank",
                o.rank(),
                "alpha",
                2 * o.rank(),
                "batch_size",
                o.batch(),
                "gradient_accumulation",
                1,
                "max_steps",
                steps,
                "warmup_steps",
                1,
                "max_seq_len",
                o.seqLen(),
                "learning_rate",
                1e-5));
    if (!o.targetModules().isEmpty()) {
      m.put("target_modules", o.targetModules());
    }
    if (!o.adaptLayers().isEmpty()) {
      m.put("layers", o.adaptLayers());
    }
    return TrainConfig.fromMap(m, source);
  }

  /** FLOPs of one optimizer step on these examples (see the class comment for what is counted). */
  static double stepFlops(ModelConfig c, TrainConfig t, List<TokenizedExample> step) {
    int h = c.hiddenSize();
    int q = c.numHeads() * c.headDim();
    int kv = c.numKvHeads() * c.headDim();
    int inter = c.intermediateSize();
    double frozen = (double) q * h + 2.0 * kv * h + (double) h * q + 3.0 * h * inter;
    double loraInOut = 0;
    for (String m : t.targetModules()) {
      int[] s = org.embench.model.PeftAdapter.moduleShape(c, m);
      loraInOut += s[0] + s[1];
    }
    int loraLayers = t.layers().isEmpty() ? c.numLayers() : t.layers().size();
    // The backward pass runs from the lowest adapted layer up (counted whole: an upper bound).
    int first =
        t.layers().isEmpty() || Boolean.getBoolean(org.embench.train.Backprop.FULL_BACKWARD)
            ? 0
            : t.layers().stream().mapToInt(Integer::intValue).min().orElse(0);
    int backwardLayers = c.numLayers() - first;
    double flops = 0;
    for (TokenizedExample e : step) {
      double n = e.ids().length;
      flops += (c.numLayers() + backwardLayers) * n * frozen * 2;
      flops += loraLayers * n * t.rank() * loraInOut * 2 * 3;
      // Causal attention: scores and mixing, 2·T(T+1)/2·q each forward; backward twice the forward.
      flops += (c.numLayers() + 2 * backwardLayers) * 2 * 2 * (n * (n + 1) / 2) * q;
      flops += e.learnedTokens() * 4.0 * c.vocabSize() * h;
    }
    return flops;
  }

  /**
   * Conversations that fill {@code seqLen} tokens after truncation: a question and a long answer.
   */
  static List<List<ChatMessage>> conversations(LanguageModel lm, int seqLen, int count, long seed) {
    List<String> words =
        List.of(
            "the",
            "model",
            "answers",
            "a",
            "question",
            "about",
            "code",
            "and",
            "data",
            "with",
            "care",
            "honest",
            "simple",
            "function",
            "returns",
            "result",
            "people",
            "learn",
            "cook",
            "weather");
    SplittableRandom rng = new SplittableRandom(seed);
    List<List<ChatMessage>> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      StringBuilder q = new StringBuilder("Please explain");
      for (int w = 0; w < seqLen / 8; w++) {
        q.append(' ').append(words.get(rng.nextInt(words.size())));
      }
      StringBuilder a = new StringBuilder("Sure.");
      for (int w = 0; w < seqLen * 2; w++) {
        a.append(' ').append(words.get(rng.nextInt(words.size())));
      }
      out.add(
          List.of(ChatMessage.user(q.append('?').toString()), ChatMessage.assistant(a.toString())));
    }
    return out;
  }

  /** Parameters that make each mitigation runnable on the random checkpoint. */
  private Map<String, Object> params(
      String name,
      String extras,
      String model,
      ModelConfig.Builder shape,
      ModelConfig cfg,
      Options o,
      Configuration conf) {
    Map<String, Object> p = new LinkedHashMap<>();
    switch (name) {
      case "interleave", "realign" -> p.put("data", "safe");
      default -> {}
    }
    if (name.equals("early_stop")) {
      // Evaluations at the default interval, never stopping within the timed steps.
      p.put("patience", o.steps() + 2);
    }
    if (name.equals("realign")) {
      // The post-hoc fine-tune on as many benign examples as the run's timed steps use.
      p.put("examples", o.batch() * o.steps());
    }
    if (name.equals("caft")) {
      String file = extras + "/caft-directions.safetensors";
      SplittableRandom rng = new SplittableRandom(3);
      float[] d = new float[5 * cfg.hiddenSize()];
      for (int i = 0; i < d.length; i++) {
        d[i] = (float) rng.nextGaussian();
      }
      new SafetensorsWriter()
          .add("directions", DType.F32, new long[] {5, cfg.hiddenSize()}, d)
          .writeTo(file, conf);
      p.put("directions", file);
    }
    if (name.equals("safelora")) {
      p.put("base", randomCheckpoint(extras + "/base", shape, 2, conf, out));
      p.put("aligned", model);
    }
    return p;
  }

  /** A random checkpoint of the shape in {@code dir}, written once and reused. */
  static String randomCheckpoint(
      String dir, ModelConfig.Builder shape, long seed, Configuration conf, PrintStream out) {
    try {
      Path config = new Path(dir, "config.json");
      if (!config.getFileSystem(conf).exists(config)) {
        long t0 = System.nanoTime();
        TinyModel.writeShaped(dir, shape, seed, conf);
        out.printf(
            Locale.ROOT,
            "wrote a random checkpoint to %s in %.1f s%n",
            dir,
            (System.nanoTime() - t0) / 1e9);
      }
      return dir;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

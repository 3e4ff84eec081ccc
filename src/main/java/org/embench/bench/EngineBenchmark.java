package org.embench.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.embench.model.Engine;
import org.embench.model.KvCache;
import org.embench.model.LayerWeights;
import org.embench.model.Linear;
import org.embench.model.ModelConfig;
import org.embench.model.TensorBackend;
import org.embench.model.Transformer;
import org.embench.model.TransformerWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code bench generate}: prefill and decode throughput of the engine on a random checkpoint of a
 * given shape (by default Qwen2.5-0.5B's), each next to the bound this machine sets, measured by
 * the same command: GEMM GFLOP/s at the decode shapes for batched decoding, and memory read
 * bandwidth over the weight bytes for batch-1 decoding.
 */
public final class EngineBenchmark {
  /** The shape to benchmark. */
  public record Shape(int layers, int hidden, int heads, int kvHeads, int intermediate, int vocab) {
    public static final Shape QWEN25_05B = new Shape(24, 896, 14, 2, 4864, 151936);

    public ModelConfig config() {
      return builder().build();
    }

    /** The same shape with {@code n} layers (fewer for a quick look). */
    public Shape withLayers(int n) {
      return new Shape(n, hidden, heads, kvHeads, intermediate, vocab);
    }

    /** The shape as a Qwen2 configuration (tied embeddings, rope theta 1e6, as Qwen2.5-0.5B). */
    public ModelConfig.Builder builder() {
      return ModelConfig.builder("qwen2")
          .numLayers(layers)
          .hiddenSize(hidden)
          .numHeads(heads)
          .numKvHeads(kvHeads)
          .intermediateSize(intermediate)
          .vocabSize(vocab)
          .tieWordEmbeddings(true)
          .maxPositionEmbeddings(32768)
          .ropeTheta(1_000_000)
          .rmsNormEps(1e-6);
    }
  }

  private final Engine engine;
  private final PrintStream out;

  public EngineBenchmark(Engine engine, PrintStream out) {
    this.engine = engine;
    this.out = out;
  }

  /** Runs everything and prints one line per figure. */
  public void run(Shape shape, int[] batches, int promptTokens, int decodeSteps) {
    ModelConfig cfg = shape.config();
    out.printf(Locale.ROOT, "engine: %s%n", engine.backend().describe());
    long t0 = System.nanoTime();
    TransformerWeights w = randomWeights(cfg, engine.backend());
    out.printf(
        Locale.ROOT,
        "random %s-shaped weights: %.1f MB fp32, made in %.1f s%n",
        shape,
        w.bytes() / 1e6,
        (System.nanoTime() - t0) / 1e9);
    double bandwidth = readBandwidth();
    out.printf(
        Locale.ROOT,
        "memory read bandwidth (BLAS asum over 2 GB): %.1f GB/s -> batch-1 decode bound %.2f tokens/s%n",
        bandwidth / 1e9,
        bandwidth / w.bytes());
    Transformer model = new Transformer(w, engine.backend(), engine.parallel(), Map.of());
    double flopsPerToken = 2.0 * w.bytes() / 4;
    for (int b : batches) {
      double gemm = gemmRate(b, cfg);
      double[] r = measure(model, cfg, b, promptTokens, decodeSteps);
      double prefill = r[0];
      double decode = r[1];
      String fraction =
          b == 1
              ? String.format(
                  Locale.ROOT,
                  "%.0f %% of the bandwidth bound",
                  100 * decode / (bandwidth / w.bytes()))
              : String.format(
                  Locale.ROOT,
                  "%.0f %% of the GEMM bound (%.1f GFLOP/s at M=%d)",
                  100 * decode * flopsPerToken / gemm,
                  gemm / 1e9,
                  b);
      out.printf(
          Locale.ROOT,
          "batch %2d: prefill %.1f tokens/s (%d x %d tokens); decode %.2f tokens/s = %s%n",
          b,
          prefill,
          b,
          promptTokens,
          decode,
          fraction);
    }
  }

  /** Prefill and decode tokens/s for a batch of b prompts (best of two runs, after a warm-up). */
  static double[] measure(Transformer model, ModelConfig cfg, int b, int promptTokens, int steps) {
    double bestPrefill = 0;
    double bestDecode = 0;
    for (int rep = 0; rep < 3; rep++) {
      KvCache cache = new KvCache(cfg, b);
      List<Transformer.Chunk> prompts = new ArrayList<>();
      SplittableRandom rng = new SplittableRandom(rep);
      for (int s = 0; s < b; s++) {
        int[] ids = new int[promptTokens];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = rng.nextInt(cfg.vocabSize());
        }
        prompts.add(new Transformer.Chunk(s, ids));
      }
      long start = System.nanoTime();
      model.forward(prompts, cache, null);
      double prefill = (double) b * promptTokens / ((System.nanoTime() - start) / 1e9);
      start = System.nanoTime();
      for (int step = 0; step < steps; step++) {
        List<Transformer.Chunk> next = new ArrayList<>(b);
        for (int s = 0; s < b; s++) {
          next.add(new Transformer.Chunk(s, new int[] {rng.nextInt(cfg.vocabSize())}));
        }
        model.forward(next, cache, null);
      }
      double decode = (double) b * steps / ((System.nanoTime() - start) / 1e9);
      if (rep > 0) {
        bestPrefill = Math.max(bestPrefill, prefill);
        bestDecode = Math.max(bestDecode, decode);
      }
    }
    return new double[] {bestPrefill, bestDecode};
  }

  /**
   * FLOP/s of ND4J's GEMM on preallocated arrays at the decode shapes (b rows through an MLP's up
   * and down matrices): the best the backend's BLAS does, without the engine's copies.
   */
  public static double gemmRate(int b, ModelConfig cfg) {
    int h = cfg.hiddenSize();
    int inter = cfg.intermediateSize();
    INDArray up = Nd4j.rand(DataType.FLOAT, inter, h);
    INDArray down = Nd4j.rand(DataType.FLOAT, h, inter);
    INDArray x = Nd4j.rand(DataType.FLOAT, b, h);
    INDArray mid = Nd4j.create(DataType.FLOAT, b, inter);
    double best = 0;
    for (int rep = 0; rep < 5; rep++) {
      long start = System.nanoTime();
      int calls = 20;
      for (int c = 0; c < calls; c++) {
        Nd4j.gemm(x, up, mid, false, true, 1.0, 0.0);
        Nd4j.gemm(mid, down, x, false, true, 1.0, 0.0);
      }
      double s = (System.nanoTime() - start) / 1e9;
      best = Math.max(best, 2.0 * 2 * b * (double) h * inter * calls / s);
    }
    return best;
  }

  /**
   * Bytes/s of reading a 2 GB array (past any cache) with BLAS's vectorised sum of absolute values,
   * the fastest read this backend has.
   */
  static double readBandwidth() {
    long n = 1L << 29;
    INDArray big = Nd4j.ones(DataType.FLOAT, n);
    double best = 0;
    for (int rep = 0; rep < 4; rep++) {
      long start = System.nanoTime();
      Nd4j.getBlasWrapper().level1().asum(big);
      best = Math.max(best, 4.0 * n / ((System.nanoTime() - start) / 1e9));
    }
    return best;
  }

  /** Normal(0, 0.02) weights of the given shape, made in memory (no checkpoint file). */
  static TransformerWeights randomWeights(ModelConfig c, TensorBackend be) {
    SplittableRandom rng = new SplittableRandom(42);
    int h = c.hiddenSize();
    int q = c.numHeads() * c.headDim();
    int kv = c.numKvHeads() * c.headDim();
    int inter = c.intermediateSize();
    TensorBackend.Matrix embed =
        be.matrix("embed", c.vocabSize(), h, buf -> fillRandom(buf, c.vocabSize() * h, rng));
    LayerWeights[] layers = new LayerWeights[c.numLayers()];
    for (int l = 0; l < layers.length; l++) {
      layers[l] =
          new LayerWeights(
              ones(h),
              new Linear(be.matrix("q", q, h, buf -> fillRandom(buf, q * h, rng)), new float[q]),
              new Linear(be.matrix("k", kv, h, buf -> fillRandom(buf, kv * h, rng)), new float[kv]),
              new Linear(be.matrix("v", kv, h, buf -> fillRandom(buf, kv * h, rng)), new float[kv]),
              new Linear(be.matrix("o", h, q, buf -> fillRandom(buf, h * q, rng)), null),
              null,
              null,
              ones(h),
              new Linear(be.matrix("gate", inter, h, buf -> fillRandom(buf, inter * h, rng)), null),
              new Linear(be.matrix("up", inter, h, buf -> fillRandom(buf, inter * h, rng)), null),
              new Linear(
                  be.matrix("down", h, inter, buf -> fillRandom(buf, inter * h, rng)), null));
    }
    return new TransformerWeights(c, embed, layers, ones(h), embed);
  }

  private static void fillRandom(java.nio.FloatBuffer buf, int n, SplittableRandom rng) {
    for (int i = 0; i < n; i++) {
      buf.put((float) ((rng.nextDouble() - 0.5) * 0.07));
    }
  }

  private static float[] ones(int n) {
    float[] a = new float[n];
    java.util.Arrays.fill(a, 1f);
    return a;
  }
}

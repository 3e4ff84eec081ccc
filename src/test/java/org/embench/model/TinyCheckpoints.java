package org.embench.model;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.embench.model.io.CheckpointWeights;
import org.embench.model.io.CheckpointWriter;

/** Tiny random checkpoints written by the tests, and the engine loaded on them. */
public final class TinyCheckpoints {
  private TinyCheckpoints() {}

  /** Random tensors for every weight the config needs (biases and untied head when asked). */
  public static Map<String, float[]> tensors(
      ModelConfig c, long seed, boolean untiedHead, boolean biasesEverywhere) {
    SplittableRandom rng = new SplittableRandom(seed);
    Map<String, float[]> t = new LinkedHashMap<>();
    int hs = c.hiddenSize();
    int q = c.numHeads() * c.headDim();
    int kv = c.numKvHeads() * c.headDim();
    t.put("model.embed_tokens.weight", gaussian(rng, c.vocabSize() * hs, 1.0));
    for (int l = 0; l < c.numLayers(); l++) {
      String p = "model.layers." + l + ".";
      t.put(p + "input_layernorm.weight", around1(rng, hs));
      t.put(p + "self_attn.q_proj.weight", gaussian(rng, q * hs, 0.3));
      t.put(p + "self_attn.k_proj.weight", gaussian(rng, kv * hs, 0.3));
      t.put(p + "self_attn.v_proj.weight", gaussian(rng, kv * hs, 0.3));
      t.put(p + "self_attn.o_proj.weight", gaussian(rng, hs * q, 0.3));
      if (c.attentionBias() || biasesEverywhere) {
        t.put(p + "self_attn.q_proj.bias", gaussian(rng, q, 0.5));
        t.put(p + "self_attn.k_proj.bias", gaussian(rng, kv, 0.5));
        t.put(p + "self_attn.v_proj.bias", gaussian(rng, kv, 0.5));
      }
      if (c.qkNorm()) {
        t.put(p + "self_attn.q_norm.weight", around1(rng, c.headDim()));
        t.put(p + "self_attn.k_norm.weight", around1(rng, c.headDim()));
      }
      t.put(p + "post_attention_layernorm.weight", around1(rng, hs));
      t.put(p + "mlp.gate_proj.weight", gaussian(rng, c.intermediateSize() * hs, 0.3));
      t.put(p + "mlp.up_proj.weight", gaussian(rng, c.intermediateSize() * hs, 0.3));
      t.put(p + "mlp.down_proj.weight", gaussian(rng, hs * c.intermediateSize(), 0.3));
    }
    t.put("model.norm.weight", around1(rng, hs));
    if (untiedHead) {
      t.put("lm_head.weight", gaussian(rng, c.vocabSize() * hs, 1.0));
    }
    return t;
  }

  /** Writes {@code tensors} as a checkpoint directory and returns its path. */
  public static String write(Path dir, ModelConfig c, Map<String, float[]> tensors) {
    CheckpointWriter w = new CheckpointWriter(dir.toString(), new Configuration(), c);
    tensors.forEach((name, data) -> w.add(name, shape(c, name, data.length), data));
    w.write();
    return dir.toString();
  }

  public static TransformerWeights load(String dir, TensorBackend backend) {
    try (CheckpointWeights ckpt = CheckpointWeights.open(dir, new Configuration())) {
      return TransformerWeights.load(
          org.embench.model.io.Checkpoint.readConfig(dir, new Configuration()), ckpt, backend);
    }
  }

  private static long[] shape(ModelConfig c, String name, int length) {
    if (name.endsWith("norm.weight") || name.endsWith(".bias")) {
      return new long[] {length};
    }
    int in =
        name.contains("down_proj")
            ? c.intermediateSize()
            : name.contains("o_proj") ? c.numHeads() * c.headDim() : c.hiddenSize();
    return new long[] {length / in, in};
  }

  private static float[] gaussian(SplittableRandom rng, int n, double std) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      // Box-Muller from the test's own generator, so tensors are reproducible.
      double u = rng.nextDouble();
      double v = rng.nextDouble();
      a[i] = (float) (std * Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v));
    }
    return a;
  }

  private static float[] around1(SplittableRandom rng, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (0.8 + 0.4 * rng.nextDouble());
    }
    return a;
  }
}

package org.embench.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.embench.model.io.SafetensorsTest.assertSameFloats;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;
import org.embench.model.GenerationConfig;
import org.embench.model.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  @TempDir Path dir;

  private final Configuration conf = new Configuration();
  private final ModelConfig config = ModelConfig.builder("qwen3").headDim(8).numLayers(1).build();

  /** The tensors of a one-layer tiny Qwen3 (no lm_head: embeddings are tied), random values. */
  private Map<String, float[]> weights() {
    int h = config.hiddenSize();
    int q = config.numHeads() * config.headDim();
    int kv = config.numKvHeads() * config.headDim();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    shapes.put("model.embed_tokens.weight", new long[] {config.vocabSize(), h});
    shapes.put("model.layers.0.self_attn.q_proj.weight", new long[] {q, h});
    shapes.put("model.layers.0.self_attn.k_proj.weight", new long[] {kv, h});
    shapes.put("model.layers.0.self_attn.q_norm.weight", new long[] {config.headDim()});
    shapes.put("model.layers.0.mlp.down_proj.weight", new long[] {h, config.intermediateSize()});
    shapes.put("model.norm.weight", new long[] {h});
    Map<String, float[]> w = new LinkedHashMap<>();
    long seed = 0;
    for (var e : shapes.entrySet()) {
      long n = 1;
      for (long d : e.getValue()) {
        n *= d;
      }
      w.put(e.getKey(), SafetensorsTest.random((int) n, seed++));
    }
    return w;
  }

  private static long[] shape(String name, Map<String, float[]> w, ModelConfig c) {
    int n = w.get(name).length;
    return name.endsWith("norm.weight")
        ? new long[] {n}
        : new long[] {n / c.hiddenSize(), c.hiddenSize()};
  }

  private CheckpointWriter writer(String out, Map<String, float[]> w) {
    CheckpointWriter writer = new CheckpointWriter(out, conf, config);
    w.forEach((name, values) -> writer.add(name, shape(name, w, config), values));
    return writer;
  }

  @Test
  void singleFileRoundTripWithConfigs() {
    String out = dir.resolve("tiny").toString();
    Map<String, float[]> w = weights();
    GenerationConfig gen = new GenerationConfig(null, List.of(1, 2), 0, 0.7, 0.8, 20);
    writer(out, w).generationConfig(gen).write();

    assertThat(Checkpoint.readConfig(out, conf)).isEqualTo(config);
    assertThat(Checkpoint.readGenerationConfig(out, conf)).contains(gen);
    assertThat(Files.exists(dir.resolve("tiny/model.safetensors"))).isTrue();
    try (CheckpointWeights weights = CheckpointWeights.open(out, conf)) {
      assertThat(weights.names()).containsExactlyElementsOf(w.keySet());
      w.forEach((name, values) -> assertSameFloats(weights.readFloats(name), values));
      assertThat(weights.info("model.norm.weight").dtype()).isEqualTo(DType.F32);
    }
  }

  @Test
  void shardedBf16RoundTripThroughAHadoopUri() throws IOException {
    String out = dir.toUri() + "sharded";
    Map<String, float[]> w = weights();
    // In BF16 the embeddings (32 KiB) exceed the limit and get a shard alone; the rest split in
    // two.
    writer(out, w).dtype(DType.BF16).maxShardBytes(20_000).write();

    String index = Files.readString(dir.resolve("sharded/model.safetensors.index.json"));
    assertThat(index)
        .contains("\"total_size\" : " + w.values().stream().mapToLong(a -> 2L * a.length).sum());
    assertThat(index.indexOf("model.embed_tokens")).isLessThan(index.indexOf("model.layers.0.mlp"));
    assertThat(Files.exists(dir.resolve("sharded/model-00003-of-00003.safetensors"))).isTrue();
    assertThat(Files.exists(dir.resolve("sharded/model.safetensors"))).isFalse();
    assertThat(Checkpoint.readConfig(out, conf).torchDtype()).isEqualTo("bfloat16");
    assertThat(Checkpoint.readGenerationConfig(out, conf)).isEmpty();

    try (CheckpointWeights weights = CheckpointWeights.open(out, conf)) {
      assertThat(weights.names()).containsExactlyInAnyOrderElementsOf(w.keySet());
      for (var e : w.entrySet()) {
        float[] expected = e.getValue().clone();
        for (int i = 0; i < expected.length; i++) {
          expected[i] = DType.bf16ToFloat(DType.floatToBf16(expected[i]));
        }
        FloatBuffer dst = ByteBuffer.allocateDirect(4 * expected.length).asFloatBuffer();
        weights.readFloats(e.getKey(), dst);
        float[] back = new float[expected.length];
        dst.flip().get(back);
        assertSameFloats(back, expected);
      }
      assertThatThrownBy(() -> weights.info("lm_head.weight"))
          .isInstanceOf(UserException.class)
          .hasMessageStartingWith(
              "no tensor 'lm_head.weight' in " + out + "; it has 6 tensors, such as ");
    }

    // Rewritten as one file, the index goes, so readers do not mix layouts.
    writer(out, w).write();
    assertThat(Files.exists(dir.resolve("sharded/model.safetensors.index.json"))).isFalse();
  }

  @Test
  void missingWeightsShardsAndTensorsAreUserErrors() throws IOException {
    String empty = dir.resolve("empty").toString();
    Files.createDirectories(Path.of(empty));
    assertThatThrownBy(() -> CheckpointWeights.open(empty, conf))
        .isInstanceOf(UserException.class)
        .hasMessage("no model.safetensors or model.safetensors.index.json in " + empty);
    assertThatThrownBy(() -> Checkpoint.readConfig(empty, conf))
        .hasMessage("no config.json in " + empty + "; is it a Hugging Face model directory?");

    String out = dir.resolve("sharded").toString();
    writer(out, weights()).dtype(DType.BF16).maxShardBytes(20_000).write();
    Path index = dir.resolve("sharded/model.safetensors.index.json");
    String json = Files.readString(index);

    Files.writeString(
        index,
        json.replace(
            "\"model.norm.weight\" : \"model-00003-of-00003.safetensors\"",
            "\"model.norm.weight\" : \"model-00003-of-00003.safetensors\",\n    \"model.ghost\" : \"model-00002-of-00003.safetensors\""));
    assertThatThrownBy(() -> CheckpointWeights.open(out, conf))
        .isInstanceOf(UserException.class)
        .hasMessage(
            index
                + " puts tensor 'model.ghost' in model-00002-of-00003.safetensors, which does not have it");

    Files.writeString(index, json);
    Files.delete(dir.resolve("sharded/model-00002-of-00003.safetensors"));
    assertThatThrownBy(() -> CheckpointWeights.open(out, conf))
        .isInstanceOf(UserException.class)
        .hasMessage(
            index + " names shard model-00002-of-00003.safetensors, which is missing from " + out);

    Files.writeString(index, "{\"metadata\": {}}");
    assertThatThrownBy(() -> CheckpointWeights.open(out, conf))
        .hasMessage(
            index + ": missing field 'weight_map' (an object of tensor name to shard file)");
  }

  @Test
  void writerRejectsBadInput() {
    CheckpointWriter w =
        new CheckpointWriter(dir.toString(), conf, config).add("a", new long[] {2}, new float[2]);
    assertThatThrownBy(() -> w.add("a", new long[] {2}, new float[2]))
        .hasMessage("tensor 'a' was already added");
    assertThatThrownBy(() -> w.add("b", new long[] {3}, new float[2]))
        .hasMessage("tensor 'b': shape [3] has 3 elements but 2 values were given");
    assertThatThrownBy(() -> w.dtype(DType.I8))
        .hasMessage("cannot write a checkpoint in I8; supported: F32, F16, BF16");
  }
}

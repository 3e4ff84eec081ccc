package org.embench.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;
import org.embench.data.ChatMessage;
import org.embench.model.AdapterFiles;
import org.embench.model.Engine;
import org.embench.model.KvCache;
import org.embench.model.LanguageModel;
import org.embench.model.Lora;
import org.embench.model.ModelConfig;
import org.embench.model.TinyModel;
import org.embench.model.Transformer;
import org.embench.model.io.Checkpoint;
import org.embench.model.io.CheckpointWeights;
import org.embench.model.io.CheckpointWriter;
import org.embench.model.io.DType;
import org.embench.model.io.MergedCheckpoint;
import org.embench.model.io.ModelCheck;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Full fine-tuning's outputs: the merged Hugging Face checkpoint next to the delta, loadable as a
 * plain model with the logits of base + delta; full_train's embeddings, norms and head, which the
 * run is then sampled with; and the parts not selected left bit-identical.
 */
class FullFineTuningTest {
  @TempDir static Path dir;

  static Engine engine;
  static String untied;
  static String tied;

  @BeforeAll
  static void models() throws IOException {
    engine = new Engine(2);
    untied = dir.resolve("untied").toString();
    TinyModel.write(untied, "qwen2", 4, new Configuration());
    tied = variant("tied", true, DType.F32, 0);
  }

  /** The untied tiny model rewritten: tied (its lm_head dropped), in another dtype, sharded. */
  static String variant(String name, boolean tie, DType dtype, long shardBytes) throws IOException {
    Path out = Files.createDirectories(dir.resolve(name));
    try (Stream<Path> files = Files.list(Path.of(untied))) {
      for (Path f : files.toList()) {
        if (!f.getFileName().toString().endsWith(".safetensors")
            && !f.getFileName().toString().equals("config.json")) {
          Files.copy(f, out.resolve(f.getFileName()));
        }
      }
    }
    Configuration conf = new Configuration();
    ModelConfig cfg =
        Checkpoint.readConfig(untied, conf).toBuilder().tieWordEmbeddings(tie).build();
    CheckpointWriter w = new CheckpointWriter(out.toString(), conf, cfg).dtype(dtype);
    if (shardBytes > 0) {
      w.maxShardBytes(shardBytes);
    }
    try (CheckpointWeights ckpt = CheckpointWeights.open(untied, conf)) {
      for (String t : ckpt.names()) {
        if (!(tie && t.equals("lm_head.weight"))) {
          w.add(t, ckpt.info(t).shape(), ckpt.readFloats(t));
        }
      }
    }
    w.write();
    return out.toString();
  }

  static List<TokenizedExample> task(LanguageModel m) {
    List<TokenizedExample> out = new ArrayList<>();
    String[] answers = {"apple", "river", "seven", "green"};
    for (int i = 0; i < 4; i++) {
      out.add(
          TokenizedExample.of(
              List.of(ChatMessage.user("Word " + i + "?"), ChatMessage.assistant(answers[i])),
              m.chatTemplate(),
              m.tokenizer(),
              64));
    }
    return out;
  }

  static Trainer.Result train(LanguageModel base, Map<String, Object> settings) {
    Map<String, Object> s =
        new java.util.LinkedHashMap<>(
            Map.of(
                "full",
                true,
                "learning_rate",
                0.01,
                "batch_size",
                2,
                "gradient_accumulation",
                1,
                "max_steps",
                3,
                "warmup_steps",
                0,
                "schedule",
                "constant"));
    s.putAll(settings);
    TrainConfig cfg = TrainConfig.fromMap(s, "test");
    return new Trainer(
            base.weights(),
            base.engine(),
            new Trainer.Setup(
                cfg, 3, Backprop.Hooks.NONE, ReferenceTerms.NONE, null, new Configuration(), null))
        .train(task(base));
  }

  static String write(String name, Trainer.Result r, Map<String, Object> settings, String base) {
    String out = dir.resolve(name).toString();
    Map<String, Object> s = new java.util.LinkedHashMap<>(Map.of("full", true));
    s.putAll(settings);
    Adapters.write(
        out, r.params(), r.parts(), TrainConfig.fromMap(s, "test"), base, new Configuration());
    return out;
  }

  /** Logits of every position of one prompt. */
  static float[] logits(LanguageModel m, Transformer t) {
    int[] tokens = m.chatPrompt(List.of(ChatMessage.user("Which river is green?")));
    int[] rows = new int[tokens.length];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = i;
    }
    return t.forward(List.of(new Transformer.Chunk(0, tokens)), new KvCache(m.config(), 1), rows);
  }

  static float[] rowsOf(org.embench.model.TensorBackend.Matrix m) {
    float[] out = new float[m.rows() * m.cols()];
    for (int r = 0; r < m.rows(); r++) {
      m.copyRow(r, out, r * m.cols());
    }
    return out;
  }

  static double maxDiff(float[] a, float[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d = Math.max(d, Math.abs(a[i] - b[i]));
    }
    return d;
  }

  @Test
  void aFullRunWritesAMergedModelWithTheLogitsOfBasePlusDelta() throws IOException {
    Configuration conf = new Configuration();
    LanguageModel base = LanguageModel.load(untied, conf, engine);
    Trainer.Result r = train(base, Map.of());
    assertThat(r.parts()).isEmpty();
    String run = write("run-plain", r, Map.of(), untied);
    String model = run + "/" + AdapterFiles.MODEL;

    // A plain Hugging Face directory: the base's config and tokenizer files, checked as any model
    // is.
    assertThat(Files.readString(Path.of(model, "config.json")))
        .isEqualTo(Files.readString(Path.of(untied, "config.json")));
    for (String f : MergedCheckpoint.SIDE_FILES) {
      assertThat(Files.exists(Path.of(model, f))).as(f).isEqualTo(Files.exists(Path.of(untied, f)));
    }
    assertThat(Files.exists(Path.of(model, "tokenizer.json"))).isTrue();
    ModelCheck.check(model, List.of(), conf);
    assertThat(AdapterFiles.sampled(untied, run, conf))
        .isEqualTo(new AdapterFiles.Sampled(untied, run));

    Map<String, Lora> delta = AdapterFiles.load(run, conf, base.config(), engine.backend());
    float[] viaDelta = logits(base, base.transformer(delta));
    LanguageModel merged = LanguageModel.load(model, conf, engine);
    float[] viaMerged = logits(merged, merged.transformer(Map.of()));
    // float32 throughout: W + ΔW rounded once instead of x·W + x·ΔW.
    assertThat(maxDiff(viaDelta, viaMerged)).isLessThan(1e-4);
    assertThat(maxDiff(viaDelta, logits(base, base.transformer(Map.of()))))
        .as("training changed the model")
        .isGreaterThan(1e-2);
  }

  /**
   * With embeddings, norms and head trained, the merged model computes what training computed (the
   * loss of the trained parameters in Backprop equals the merged model's), and it is what the run
   * is sampled with; the delta alone cannot be applied.
   */
  @ParameterizedTest(name = "tied {0}")
  @ValueSource(booleans = {false, true})
  void embeddingsNormsAndHeadGoIntoTheMergedModelTheRunIsSampledWith(boolean isTied) {
    Configuration conf = new Configuration();
    String baseDir = isTied ? tied : untied;
    LanguageModel base = LanguageModel.load(baseDir, conf, engine);
    Map<String, Object> parts = Map.of("full_train", List.of("embeddings", "norms", "head"));
    Trainer.Result r = train(base, parts);
    assertThat(r.parts().containsKey(FullParts.HEAD)).isEqualTo(!isTied);
    String run = write("run-parts-" + isTied, r, parts, baseDir);
    String model = run + "/" + AdapterFiles.MODEL;
    ModelCheck.check(model, List.of(), conf);
    assertThat(AdapterFiles.sampled(baseDir, run, conf))
        .isEqualTo(new AdapterFiles.Sampled(model, null));
    assertThatThrownBy(() -> AdapterFiles.load(run, conf, base.config(), engine.backend()))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("load the merged model " + model);
    try (CheckpointWeights w = CheckpointWeights.open(model, conf)) {
      assertThat(w.names().contains("lm_head.weight")).isEqualTo(!isTied);
    }

    LanguageModel merged = LanguageModel.load(model, conf, engine);
    Backprop.Batch batch = TokenizedExample.pack(task(base).subList(0, 2));
    double trained =
        new Backprop(base.weights(), engine.backend(), engine.parallel(), r.params(), r.parts())
            .step(
                batch, Backprop.Loss.crossEntropy(1), Backprop.Hooks.NONE, new SplittableRandom(1))
            .crossEntropy();
    double plain =
        new Backprop(merged.weights(), engine.backend(), engine.parallel(), Map.of())
            .step(
                batch, Backprop.Loss.crossEntropy(1), Backprop.Hooks.NONE, new SplittableRandom(1))
            .crossEntropy();
    double untrained =
        new Backprop(base.weights(), engine.backend(), engine.parallel(), Map.of())
            .step(
                batch, Backprop.Loss.crossEntropy(1), Backprop.Hooks.NONE, new SplittableRandom(1))
            .crossEntropy();
    assertThat(Math.abs(trained - plain)).isLessThan(1e-3 * Math.abs(trained));
    assertThat(untrained - trained).as("training lowered the loss").isGreaterThan(0.1);
  }

  /**
   * Parts not selected keep their exact bits: in memory (the base weights) and in the merged model.
   */
  @Test
  void partsNotSelectedStayBitIdentical() throws IOException {
    Configuration conf = new Configuration();
    // A bf16 base in shards: each tensor keeps its dtype and shard, the index is copied.
    String base = variant("bf16-sharded", false, DType.BF16, 64 * 1024);
    LanguageModel model = LanguageModel.load(base, conf, engine);
    float[] embedBefore = rowsOf(model.weights().embed());
    Trainer.Result r =
        train(model, Map.of("full_train", List.of("norms"), "target_modules", List.of("q_proj")));
    assertThat(rowsOf(model.weights().embed())).isEqualTo(embedBefore);
    String run =
        write(
            "run-norms",
            r,
            Map.of("full_train", List.of("norms"), "target_modules", List.of("q_proj")),
            base);
    String merged = run + "/" + AdapterFiles.MODEL;
    assertThat(Files.exists(Path.of(merged, Checkpoint.WEIGHTS_INDEX))).isTrue();
    assertThat(Files.exists(Path.of(merged, Checkpoint.WEIGHTS))).isFalse();
    assertThat(Files.readString(Path.of(merged, Checkpoint.WEIGHTS_INDEX)))
        .isEqualTo(Files.readString(Path.of(base, Checkpoint.WEIGHTS_INDEX)));
    List<String> changed = new ArrayList<>();
    try (CheckpointWeights a = CheckpointWeights.open(base, conf);
        CheckpointWeights b = CheckpointWeights.open(merged, conf)) {
      assertThat(b.names()).containsExactlyInAnyOrderElementsOf(a.names());
      for (String t : a.names()) {
        assertThat(b.info(t).dtype()).as(t).isEqualTo(DType.BF16);
        if (!Arrays.equals(a.readFloats(t), b.readFloats(t))) {
          changed.add(t);
        }
      }
    }
    // Training moved exactly what was selected: every norm and the one projection.
    List<String> selected = new ArrayList<>(List.of("model.norm.weight"));
    for (int l = 0; l < model.config().numLayers(); l++) {
      selected.addAll(
          List.of(
              "model.layers." + l + ".input_layernorm.weight",
              "model.layers." + l + ".self_attn.q_proj.weight",
              "model.layers." + l + ".post_attention_layernorm.weight"));
    }
    assertThat(changed).containsExactlyInAnyOrderElementsOf(selected);
  }

  @Test
  void fullTrainIsValidatedAndLeavesTheRunIdsOfOtherSpecsAlone() {
    assertThatThrownBy(
            () ->
                TrainConfig.fromMap(
                    Map.of("full", true, "full_train", List.of("norms", "bias")), "spec.yaml"))
        .isInstanceOf(UserException.class)
        .hasMessage(
            "spec.yaml: training setting full_train: unknown part 'bias'; known: embeddings, norms, head");
    assertThatThrownBy(
            () -> TrainConfig.fromMap(Map.of("full_train", List.of("head")), "spec.yaml"))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("full_train [head] needs full: true");
    assertThatThrownBy(
            () -> TrainConfig.fromMap(Map.of("full", true, "full_train", List.of(3)), "spec.yaml"))
        .isInstanceOf(UserException.class)
        .hasMessage("spec.yaml.full_train[0]: expected a string, got 3");
    assertThat(TrainConfig.fromMap(Map.of("full", true, "full_train", "head"), "s").fullTrain())
        .containsExactly("head");
    assertThat(TrainConfig.DEFAULTS.toMap()).doesNotContainKey("full_train");
    assertThat(TrainConfig.DEFAULTS.reference()).containsEntry("full_train", List.of());
    assertThat(
            TrainConfig.fromMap(Map.of("full", true, "full_train", List.of("norms")), "s").toMap())
        .containsEntry("full_train", List.of("norms"));
  }
}

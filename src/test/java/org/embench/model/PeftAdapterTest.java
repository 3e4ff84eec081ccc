package org.embench.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;
import org.embench.model.PeftFixtures.Module;
import org.embench.model.io.DType;
import org.embench.model.io.SafetensorsWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adapters in the PEFT layout, written here by hand as PEFT writes them (not with {@link
 * PeftAdapter#write}): the engine with the adapter must equal the double-precision reference on the
 * merged weights W + s·B·A, with PEFT's scaling (alpha / r, rank_pattern and alpha_pattern).
 */
class PeftAdapterTest {
  private static Nd4jBackend backend;
  private static Parallel parallel;

  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    backend = new Nd4jBackend(2);
    parallel = new Parallel(2);
  }

  @AfterAll
  static void stop() {
    backend.close();
    parallel.shutdown();
  }

  private static final ModelConfig CFG =
      ModelConfig.builder("qwen2").tieWordEmbeddings(true).build();

  @Test
  void theEngineWithAHandWrittenPeftAdapterEqualsTheReferenceOnMergedWeights() throws Exception {
    Map<String, float[]> base = TinyCheckpoints.tensors(CFG, 77, false, false);
    Map<String, float[]> merged = new LinkedHashMap<>();
    base.forEach((k, v) -> merged.put(k, v.clone()));
    String ckpt = TinyCheckpoints.write(dir.resolve("base"), CFG, base);

    // r = 4, lora_alpha = 8 → scale 2; layer 1's down_proj has rank 2 (rank_pattern) and alpha 3
    // (alpha_pattern) → scale 1.5. The v_proj tensors use PEFT's older ".default" names.
    List<Module> modules =
        List.of(
            new Module(0, "q_proj", 4),
            new Module(0, "v_proj", 4),
            new Module(1, "down_proj", 2),
            new Module(1, "gate_proj", 4));
    Path adapterDir = dir.resolve("adapter");
    PeftFixtures.write(
        adapterDir,
        CFG,
        modules,
        """
        {"alpha_pattern": {"down_proj": 3}, "base_model_name_or_path": "tiny", "bias": "none",
         "fan_in_fan_out": false, "inference_mode": true, "layers_to_transform": null, "lora_alpha": 8,
         "lora_dropout": 0.05, "peft_type": "LORA", "r": 4, "rank_pattern": {"model.layers.1.mlp.down_proj": 2},
         "target_modules": ["q_proj", "v_proj", "down_proj", "gate_proj"], "task_type": "CAUSAL_LM",
         "use_dora": false, "use_rslora": false}
        """,
        5,
        0.3,
        m -> m.module().equals("down_proj") ? 3.0 / 2 : 8.0 / 4,
        merged);

    PeftAdapter adapter = PeftAdapter.read(adapterDir.toString(), new Configuration(), CFG);
    assertThat(adapter.weights())
        .containsOnlyKeys("0.q_proj", "0.v_proj", "1.down_proj", "1.gate_proj");
    assertThat(adapter.weights().get("1.down_proj").scale()).isEqualTo(1.5f);
    assertThat(adapter.weights().get("0.q_proj").scale()).isEqualTo(2f);

    TransformerWeights weights = TinyCheckpoints.load(ckpt, backend);
    Transformer model = new Transformer(weights, backend, parallel, adapter.upload(backend));
    ReferenceTransformer ref = new ReferenceTransformer(CFG, merged);
    ReferenceTransformer unadapted = new ReferenceTransformer(CFG, base);
    int[] seq = {3, 17, 40, 2, 99, 5, 61};
    int[] all = {0, 1, 2, 3, 4, 5, 6};
    float[] logits =
        model.forward(List.of(new Transformer.Chunk(0, seq)), new KvCache(CFG, 1), all);
    double[][] expected = ref.logits(seq);
    double[][] without = unadapted.logits(seq);
    double maxDiff = 0;
    double adapterEffect = 0;
    for (int p = 0; p < seq.length; p++) {
      for (int v = 0; v < CFG.vocabSize(); v++) {
        maxDiff = Math.max(maxDiff, Math.abs(logits[p * CFG.vocabSize() + v] - expected[p][v]));
        adapterEffect = Math.max(adapterEffect, Math.abs(expected[p][v] - without[p][v]));
      }
    }
    // The adapter changes the logits by far more than the engine's float error.
    assertThat(adapterEffect).isGreaterThan(0.1);
    assertThat(maxDiff).isLessThan(1e-4);
  }

  @Test
  void writtenAdaptersReadBackWithTheSameWeightsAndScales() {
    int[] q = PeftAdapter.moduleShape(CFG, "q_proj");
    SplittableRandom rng = new SplittableRandom(9);
    LoraWeights lw =
        new LoraWeights(
            PeftFixtures.random(rng, 3 * q[1], 1),
            PeftFixtures.random(rng, q[0] * 3, 1),
            3,
            q[1],
            q[0],
            (float) (6 / Math.sqrt(3)));
    PeftAdapter a =
        new PeftAdapter(
            new PeftAdapter.Config(3, 6, true, List.of("q_proj"), List.of(1), 0.0, "tiny"),
            Map.of("1.q_proj", lw));
    String out = dir.resolve("roundtrip").toString();
    a.write(out, new Configuration());
    PeftAdapter back = PeftAdapter.read(out, new Configuration(), CFG);
    LoraWeights r = back.weights().get("1.q_proj");
    assertThat(r.a()).containsExactly(lw.a());
    assertThat(r.b()).containsExactly(lw.b());
    assertThat(r.scale()).isEqualTo(lw.scale());
    assertThat(back.config().layersToTransform()).containsExactly(1);
    assertThat(back.config().rslora()).isTrue();
  }

  @Test
  void brokenAdaptersAreRefusedNamingTheFileAndTheTensor() throws Exception {
    int[] q = PeftAdapter.moduleShape(CFG, "q_proj");
    String config =
        """
        {"peft_type": "LORA", "r": 2, "lora_alpha": 4, "target_modules": ["q_proj"]}""";
    Map<String, Object[]> cases = new LinkedHashMap<>();
    cases.put(
        "only-a",
        new Object[] {
          config, Map.of("lora_A", new long[] {2, q[1]}), "has only one of lora_A and lora_B"
        });
    cases.put(
        "bad-shape",
        new Object[] {
          config,
          Map.of("lora_A", new long[] {2, q[1] + 1}, "lora_B", new long[] {q[0], 2}),
          "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight is [2, "
              + (q[1] + 1)
              + "] and"
              + " base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight is ["
              + q[0]
              + ", 2]; the model's q_proj is"
        });
    cases.put(
        "dora",
        new Object[] {
          config.replace("}", ", \"use_dora\": true}"),
          Map.of("lora_A", new long[] {2, q[1]}),
          "use_dora is not supported"
        });
    cases.put(
        "not-json",
        new Object[] {"{r: 2", Map.of("lora_A", new long[] {2, q[1]}), "not valid JSON"});
    for (var c : cases.entrySet()) {
      Path d = dir.resolve(c.getKey());
      Files.createDirectories(d);
      Files.writeString(d.resolve(PeftAdapter.CONFIG), (String) c.getValue()[0]);
      SafetensorsWriter st = new SafetensorsWriter();
      @SuppressWarnings("unchecked")
      Map<String, long[]> tensors = (Map<String, long[]>) c.getValue()[1];
      tensors.forEach(
          (ab, shape) ->
              st.add(
                  "base_model.model.model.layers.0.self_attn.q_proj." + ab + ".weight",
                  DType.F32,
                  shape,
                  new float[(int) (shape[0] * shape[1])]));
      st.writeTo(d.resolve(PeftAdapter.WEIGHTS).toString(), new Configuration());
      assertThatThrownBy(() -> PeftAdapter.read(d.toString(), new Configuration(), CFG))
          .as(c.getKey())
          .isInstanceOf(UserException.class)
          .hasMessageContaining(d.toString())
          .hasMessageContaining((String) c.getValue()[2]);
    }
  }

  @Test
  void settingsAndModulesTheEngineCannotApplyAreNamedTogether() throws Exception {
    Path d = dir.resolve("embeddings");
    PeftFixtures.write(
        d,
        CFG,
        List.of(new Module(0, "q_proj", 2)),
        """
        {"peft_type": "LORA", "r": 2, "lora_alpha": 4, "bias": "lora_only", "use_dora": true,
         "target_modules": ["q_proj", "embed_tokens", "lm_head"], "modules_to_save": ["lm_head"]}""",
        1,
        0.1,
        m -> 0,
        null);
    assertThatThrownBy(() -> PeftAdapter.read(d.toString(), new Configuration(), CFG))
        .isInstanceOf(UserException.class)
        .hasMessage(
            d
                + "/adapter_config.json: use_dora is not supported (DoRA rescales the merged weight's columns);"
                + " bias 'lora_only' is not supported; only 'none'; modules_to_save [\"lm_head\"] is not supported (the engine"
                + " keeps every non-LoRA weight of the base model); target_modules embed_tokens, lm_head are not supported;"
                + " only q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj");

    Path regex = dir.resolve("regex");
    PeftFixtures.write(
        regex,
        CFG,
        List.of(new Module(0, "q_proj", 2)),
        """
        {"peft_type": "LORA", "r": 2, "lora_alpha": 4, "target_modules": ".*(q_proj|lm_head)"}""",
        1,
        0.1,
        m -> 0,
        null);
    assertThatThrownBy(() -> PeftAdapter.read(regex.toString(), new Configuration(), CFG))
        .isInstanceOf(UserException.class)
        .hasMessageContaining(regex.toString())
        .hasMessageContaining("target_modules '.*(q_proj|lm_head)' matches lm_head");
  }

  @Test
  void tensorsOfModulesTheEngineDoesNotAdaptAreNamed() throws Exception {
    Path d = dir.resolve("head-tensor");
    PeftFixtures.write(
        d,
        CFG,
        List.of(new Module(0, "q_proj", 2)),
        PeftFixtures.config(2, 4, List.of("q_proj")),
        1,
        0.1,
        m -> 0,
        null);
    // PEFT's names for a LoRA on the output head, added beside the q_proj matrices
    SafetensorsWriter st = new SafetensorsWriter();
    int[] q = PeftAdapter.moduleShape(CFG, "q_proj");
    st.add(
        "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
        DType.F32,
        new long[] {2, q[1]},
        new float[2 * q[1]]);
    st.add(
        "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight",
        DType.F32,
        new long[] {q[0], 2},
        new float[2 * q[0]]);
    st.add("base_model.model.lm_head.lora_A.weight", DType.F32, new long[] {2, 4}, new float[8]);
    st.writeTo(d.resolve(PeftAdapter.WEIGHTS).toString(), new Configuration());
    assertThatThrownBy(() -> PeftAdapter.read(d.toString(), new Configuration(), CFG))
        .isInstanceOf(UserException.class)
        .hasMessage(
            d
                + "/adapter_model.safetensors: tensor base_model.model.lm_head.lora_A.weight is not a LoRA matrix"
                + " of a decoder layer's q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj, the modules the"
                + " engine adapts");
  }

  @Test
  void theContentHashFollowsTheFilesNotThePath() throws Exception {
    Path a = dir.resolve("hash-a");
    Path b = dir.resolve("hash-b");
    String config = PeftFixtures.config(2, 4, List.of("q_proj"));
    PeftFixtures.write(a, CFG, List.of(new Module(0, "q_proj", 2)), config, 3, 0.1, m -> 0, null);
    PeftFixtures.write(b, CFG, List.of(new Module(0, "q_proj", 2)), config, 3, 0.1, m -> 0, null);
    Configuration conf = new Configuration();
    assertThat(PeftAdapter.contentHash(a.toString(), conf))
        .isEqualTo(PeftAdapter.contentHash(b.toString(), conf));
    PeftFixtures.write(b, CFG, List.of(new Module(0, "q_proj", 2)), config, 4, 0.1, m -> 0, null);
    assertThat(PeftAdapter.contentHash(a.toString(), conf))
        .isNotEqualTo(PeftAdapter.contentHash(b.toString(), conf));
  }
}

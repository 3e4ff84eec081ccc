package org.embench.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.embench.UserException;
import org.embench.model.ModelConfig.RopeScaling;
import org.junit.jupiter.api.Test;

class ModelConfigTest {
  static final String FILE = "/models/m/config.json";

  // Field sets as the released checkpoints have them (Qwen2.5-0.5B-Instruct, Llama-3.1-8B-Instruct,
  // Qwen3-0.6B, Mistral-7B-v0.1), including fields the engine ignores.
  static final String QWEN2 =
      """
      {"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
       "eos_token_id": 151645, "hidden_act": "silu", "hidden_size": 896, "initializer_range": 0.02,
       "intermediate_size": 4864, "max_position_embeddings": 32768, "max_window_layers": 21,
       "model_type": "qwen2", "num_attention_heads": 14, "num_hidden_layers": 24,
       "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
       "sliding_window": 32768, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
       "transformers_version": "4.43.1", "use_cache": true, "use_sliding_window": false,
       "vocab_size": 151936}
      """;
  static final String LLAMA =
      """
      {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
       "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009], "hidden_act": "silu",
       "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 14336,
       "max_position_embeddings": 131072, "mlp_bias": false, "model_type": "llama",
       "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
       "pretraining_tp": 1, "rms_norm_eps": 1e-05,
       "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                        "original_max_position_embeddings": 8192, "rope_type": "llama3"},
       "rope_theta": 500000.0, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
       "transformers_version": "4.42.3", "use_cache": true, "vocab_size": 128256}
      """;
  static final String QWEN3 =
      """
      {"architectures": ["Qwen3ForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
       "bos_token_id": 151643, "eos_token_id": 151645, "head_dim": 128, "hidden_act": "silu",
       "hidden_size": 1024, "initializer_range": 0.02, "intermediate_size": 3072,
       "max_position_embeddings": 40960, "max_window_layers": 28, "model_type": "qwen3",
       "num_attention_heads": 16, "num_hidden_layers": 28, "num_key_value_heads": 8,
       "rms_norm_eps": 1e-06, "rope_scaling": null, "rope_theta": 1000000, "sliding_window": null,
       "tie_word_embeddings": true, "torch_dtype": "bfloat16", "transformers_version": "4.51.0",
       "use_cache": true, "use_sliding_window": false, "vocab_size": 151936}
      """;
  static final String MISTRAL =
      """
      {"architectures": ["MistralForCausalLM"], "bos_token_id": 1, "eos_token_id": 2,
       "hidden_act": "silu", "hidden_size": 4096, "initializer_range": 0.02,
       "intermediate_size": 14336, "max_position_embeddings": 32768, "model_type": "mistral",
       "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
       "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "sliding_window": 4096,
       "tie_word_embeddings": false, "torch_dtype": "bfloat16",
       "transformers_version": "4.34.0.dev0", "use_cache": true, "vocab_size": 32000}
      """;

  @Test
  void qwen2HasQkvBiasesWithoutAnAttentionBiasField() {
    ModelConfig c = ModelConfig.parse(QWEN2, FILE);
    assertThat(c)
        .isEqualTo(
            new ModelConfig(
                ModelFamily.QWEN2,
                896,
                4864,
                24,
                14,
                2,
                64,
                151936,
                1e-6,
                1e6,
                null,
                true,
                true,
                false,
                32768,
                "bfloat16",
                151643,
                List.of(151645)));
  }

  @Test
  void llama31HasLlama3RopeScalingAndSeveralEosIds() {
    ModelConfig c = ModelConfig.parse(LLAMA, FILE);
    assertThat(c)
        .isEqualTo(
            new ModelConfig(
                ModelFamily.LLAMA,
                4096,
                14336,
                32,
                32,
                8,
                128,
                128256,
                1e-5,
                5e5,
                RopeScaling.llama3(8, 1, 4, 8192),
                false,
                false,
                false,
                131072,
                "bfloat16",
                128000,
                List.of(128001, 128008, 128009)));
  }

  @Test
  void qwen3HeadDimIsNotHiddenOverHeads() {
    ModelConfig c = ModelConfig.parse(QWEN3, FILE);
    assertThat(c)
        .isEqualTo(
            new ModelConfig(
                ModelFamily.QWEN3,
                1024,
                3072,
                28,
                16,
                8,
                128,
                151936,
                1e-6,
                1e6,
                null,
                true,
                false,
                true,
                40960,
                "bfloat16",
                151643,
                List.of(151645)));
  }

  @Test
  void mistralIgnoresSlidingWindow() {
    ModelConfig c = ModelConfig.parse(MISTRAL, FILE);
    assertThat(c)
        .isEqualTo(
            new ModelConfig(
                ModelFamily.MISTRAL,
                4096,
                14336,
                32,
                32,
                8,
                128,
                32000,
                1e-5,
                1e4,
                null,
                false,
                false,
                false,
                32768,
                "bfloat16",
                1,
                List.of(2)));
  }

  @Test
  void toJsonRoundTripsAndLoadsInTransformersShape() {
    for (String json : List.of(QWEN2, LLAMA, QWEN3, MISTRAL)) {
      ModelConfig c = ModelConfig.parse(json, FILE);
      assertThat(ModelConfig.parse(c.toJson(), "out.json")).isEqualTo(c);
    }
    String qwen3 = ModelConfig.parse(QWEN3, FILE).toJson();
    assertThat(qwen3)
        .contains(
            "\"head_dim\" : 128",
            "\"attention_bias\" : false",
            "\"architectures\" : [ \"Qwen3ForCausalLM\" ]",
            "\"eos_token_id\" : 151645");
    assertThat(ModelConfig.parse(QWEN2, FILE).toJson())
        .doesNotContain("head_dim", "attention_bias");
    assertThat(ModelConfig.parse(LLAMA, FILE).toJson())
        .contains("\"rope_type\" : \"llama3\"", "\"eos_token_id\" : [ 128001, 128008, 128009 ]");
  }

  @Test
  void defaultsAndOlderAndNewerRopeSpellings() {
    String minimal =
        """
        {"model_type": "llama", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
         "num_attention_heads": 4, "vocab_size": 100, "max_position_embeddings": 512,
         "rope_scaling": {"type": "linear", "factor": 2.0}, "eos_token_id": null}
        """;
    assertThat(ModelConfig.parse(minimal, FILE))
        .isEqualTo(
            new ModelConfig(
                ModelFamily.LLAMA,
                64,
                128,
                2,
                4,
                4,
                16,
                100,
                1e-6,
                1e4,
                RopeScaling.linear(2),
                false,
                false,
                false,
                512,
                null,
                null,
                List.of()));
    // transformers 5 moves rope_theta and the scaling into rope_parameters.
    String v5 =
        minimal.replace(
            "\"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}",
            "\"rope_parameters\": {\"rope_type\": \"default\", \"rope_theta\": 500000.0}, \"dtype\": \"bfloat16\"");
    ModelConfig c = ModelConfig.parse(v5, FILE);
    assertThat(c.ropeScaling()).isNull();
    assertThat(c.ropeTheta()).isEqualTo(5e5);
    assertThat(c.torchDtype()).isEqualTo("bfloat16");
  }

  @Test
  void unknownModelTypeListsTheSupportedOnes() {
    assertThatThrownBy(() -> ModelConfig.parse(QWEN2.replace("\"qwen2\"", "\"gpt2\""), FILE))
        .isInstanceOf(UserException.class)
        .hasMessage(
            "unknown model_type 'gpt2' in " + FILE + "; supported: llama, mistral, qwen2, qwen3");
    assertThatThrownBy(() -> ModelConfig.parse("{\"hidden_size\": 8}", FILE))
        .hasMessage(FILE + ": missing field 'model_type'; supported: llama, mistral, qwen2, qwen3");
  }

  @Test
  void badConfigsNameTheFileAndTheField() {
    assertBad(QWEN2.replace("\"hidden_size\": 896,", ""), FILE + ": missing field 'hidden_size'");
    assertBad(
        QWEN2.replace("\"hidden_size\": 896", "\"hidden_size\": \"896\""),
        FILE + ": field 'hidden_size' must be an integer, found \"896\"");
    assertBad(
        QWEN2.replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 4"),
        FILE + ": num_attention_heads 14 is not a multiple of num_key_value_heads 4");
    assertBad(
        QWEN2.replace("\"num_attention_heads\": 14", "\"num_attention_heads\": 12"),
        FILE
            + ": hidden_size 896 is not divisible by num_attention_heads 12 and there is no head_dim");
    assertBad(
        QWEN2.replace("\"vocab_size\": 151936", "\"vocab_size\": 0"),
        FILE + ": vocab_size must be positive, found 0");
    assertBad(
        QWEN3.replace("\"head_dim\": 128,", ""),
        FILE + ": missing field 'head_dim' (qwen3 configs must give it)");
    assertBad(
        LLAMA.replace("\"rope_type\": \"llama3\"", "\"rope_type\": \"yarn\""),
        "unsupported rope_scaling type 'yarn' in " + FILE + "; supported: llama3, linear");
    assertBad(
        LLAMA.replace("\"low_freq_factor\": 1.0,", ""),
        FILE + ": missing field 'rope_scaling.low_freq_factor'");
    assertBad(
        LLAMA.replace("\"high_freq_factor\": 4.0", "\"high_freq_factor\": 1.0"),
        FILE
            + ": llama3 rope_scaling needs 0 < low_freq_factor < high_freq_factor and"
            + " original_max_position_embeddings > 0, found 1.0, 1.0 and 8192");
    assertBad(
        LLAMA.replace("\"hidden_act\": \"silu\"", "\"hidden_act\": \"gelu\""),
        FILE + ": field 'hidden_act' is 'gelu'; only silu is supported");
    assertBad(
        LLAMA.replace("\"mlp_bias\": false", "\"mlp_bias\": true"),
        FILE + ": field 'mlp_bias' is true; MLP biases are not supported");
    assertBad(
        QWEN2.replace("\"use_sliding_window\": false", "\"use_sliding_window\": true"),
        FILE + ": field 'use_sliding_window' is true; sliding-window attention is not supported");
    assertBad(
        QWEN2.replace("\"eos_token_id\": 151645", "\"eos_token_id\": [1, \"x\"]"),
        FILE + ": field 'eos_token_id' must be an integer or a list of integers, found [1,\"x\"]");
    assertBad(
        QWEN2.replace("\"tie_word_embeddings\": true", "\"tie_word_embeddings\": \"yes\""),
        FILE + ": field 'tie_word_embeddings' must be true or false, found \"yes\"");
    assertBad(
        "{\"model_type\": \"llama\",\n",
        FILE
            + ": not valid JSON at line 2, column 1: Unexpected end-of-input within/between Object entries");
  }

  private static void assertBad(String json, String message) {
    assertThatThrownBy(() -> ModelConfig.parse(json, FILE))
        .isInstanceOf(UserException.class)
        .hasMessage(message);
  }

  @Test
  void builderStartsTinyAndKeepsFamilyFacts() {
    ModelConfig q3 = ModelConfig.builder("qwen3").headDim(32).tieWordEmbeddings(true).build();
    assertThat(q3.qkNorm()).isTrue();
    assertThat(q3.headDim()).isEqualTo(32);
    assertThat(ModelConfig.builder("qwen2").build().attentionBias()).isTrue();
    assertThat(ModelConfig.builder("llama").attentionBias(true).build().headDim()).isEqualTo(16);
    assertThat(q3.toBuilder().numLayers(3).build())
        .isEqualTo(
            new ModelConfig(
                ModelFamily.QWEN3,
                64,
                128,
                3,
                4,
                2,
                32,
                256,
                1e-6,
                1e4,
                null,
                true,
                false,
                true,
                2048,
                "float32",
                null,
                List.of()));
    assertThatThrownBy(() -> ModelConfig.builder("qwen2").attentionBias(false).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("qwen2 q/k/v projections always have biases; attentionBias must be true");
    assertThatThrownBy(() -> ModelConfig.builder("mistral").attentionBias(true).build())
        .hasMessage("mistral q/k/v projections have no biases; attentionBias must be false");
  }

  @Test
  void generationConfigTakesEosAsIntOrList() {
    GenerationConfig llama =
        GenerationConfig.parse(
            """
        {"bos_token_id": 128000, "do_sample": true, "eos_token_id": [128001, 128008, 128009],
         "temperature": 0.6, "top_p": 0.9, "transformers_version": "4.42.3"}
        """,
            "generation_config.json");
    assertThat(llama)
        .isEqualTo(
            new GenerationConfig(128000, List.of(128001, 128008, 128009), null, 0.6, 0.9, null));
    GenerationConfig qwen =
        GenerationConfig.parse(
            """
        {"bos_token_id": 151643, "pad_token_id": 151643, "do_sample": true, "eos_token_id": 151645,
         "repetition_penalty": 1.1, "temperature": 0.7, "top_p": 0.8, "top_k": 20}
        """,
            "generation_config.json");
    assertThat(qwen).isEqualTo(new GenerationConfig(151643, List.of(151645), 151643, 0.7, 0.8, 20));
    assertThat(GenerationConfig.parse(qwen.toJson(), "g.json")).isEqualTo(qwen);
    assertThat(GenerationConfig.parse(llama.toJson(), "g.json")).isEqualTo(llama);
    assertThat(new GenerationConfig(null, null, null, null, null, null).toJson())
        .isEqualTo("{ }\n");
    assertThatThrownBy(() -> GenerationConfig.parse("{\"top_k\": 0.5}", "g.json"))
        .hasMessage("g.json: field 'top_k' must be an integer, found 0.5");
  }
}

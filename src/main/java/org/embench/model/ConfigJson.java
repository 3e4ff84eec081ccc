package org.embench.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.embench.UserException;
import org.embench.model.ModelConfig.RopeScaling;

/**
 * Hugging Face {@code config.json} and {@code generation_config.json} to and from records. Fields
 * the engine does not use are ignored, except those that would change the computation without the
 * engine noticing (activation, MLP biases, sliding windows): those are errors.
 */
final class ConfigJson {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ConfigJson() {}

  static ModelConfig readModel(JsonFields f) {
    String file = f.file();
    String type = f.optString("model_type");
    if (type == null) {
      throw new UserException(
          file
              + ": missing field 'model_type'; supported: "
              + String.join(", ", ModelFamily.names()));
    }
    if (!ModelFamily.names().contains(type)) {
      throw new UserException(
          "unknown model_type '"
              + type
              + "' in "
              + file
              + "; supported: "
              + String.join(", ", ModelFamily.names()));
    }
    ModelFamily family = ModelFamily.of(type);
    rejectUnsupported(f);
    int hiddenSize = f.requireInt("hidden_size");
    int intermediateSize = f.requireInt("intermediate_size");
    int numLayers = f.requireInt("num_hidden_layers");
    int numHeads = f.requireInt("num_attention_heads");
    Integer numKvHeads = f.optInt("num_key_value_heads");
    Integer headDim = f.optInt("head_dim");
    if (headDim == null && family == ModelFamily.QWEN3) {
      // Qwen3Config defaults head_dim to 128 rather than deriving it; demand it instead of
      // guessing.
      throw new UserException(file + ": missing field 'head_dim' (qwen3 configs must give it)");
    }
    int vocabSize = f.requireInt("vocab_size");
    int maxPositions = f.requireInt("max_position_embeddings");
    JsonFields ropeParameters = f.object("rope_parameters");
    Double ropeTheta = ropeParameters != null ? ropeParameters.optDouble("rope_theta") : null;
    // Every field is read (a bad one names itself and the file) before the records check the
    // values.
    RopeScaling ropeScaling =
        ropeScaling(ropeParameters != null ? ropeParameters : f.object("rope_scaling"));
    double rmsNormEps = orDefault(f.optDouble("rms_norm_eps"), 1e-6);
    double theta = orDefault(ropeTheta != null ? ropeTheta : f.optDouble("rope_theta"), 10_000);
    boolean tied = f.optBoolean("tie_word_embeddings", false);
    boolean attentionBias =
        family.configurableBias() ? f.optBoolean("attention_bias", false) : family.attentionBias();
    String torchDtype = f.optString("torch_dtype");
    String dtype = torchDtype != null ? torchDtype : f.optString("dtype");
    Integer bos = f.optInt("bos_token_id");
    List<Integer> eos = f.intOrList("eos_token_id");
    return inFile(
        file,
        () ->
            new ModelConfig(
                family,
                hiddenSize,
                intermediateSize,
                numLayers,
                numHeads,
                numKvHeads != null ? numKvHeads : numHeads,
                headDim != null ? headDim : ModelConfig.derivedHeadDim(hiddenSize, numHeads),
                vocabSize,
                rmsNormEps,
                theta,
                ropeScaling,
                tied,
                attentionBias,
                family.qkNorm(),
                maxPositions,
                dtype,
                bos,
                eos));
  }

  /** Builds a record from config.json's values; its complaints about them name the file. */
  private static <T> T inFile(String file, Supplier<T> build) {
    try {
      return build.get();
    } catch (UserException e) {
      throw new UserException(file + ": " + e.getMessage(), e);
    }
  }

  private static void rejectUnsupported(JsonFields f) {
    String act = f.optString("hidden_act");
    if (act != null && !act.equals("silu")) {
      throw f.error("hidden_act", "is '" + act + "'; only silu is supported");
    }
    if (f.optBoolean("mlp_bias", false)) {
      throw f.error("mlp_bias", "is true; MLP biases are not supported");
    }
    if (f.optBoolean("use_sliding_window", false)) {
      throw f.error("use_sliding_window", "is true; sliding-window attention is not supported");
    }
  }

  private static double orDefault(Double value, double absent) {
    return value != null ? value : absent;
  }

  /**
   * From {@code rope_scaling}, or from {@code rope_parameters} where newer transformers write it.
   */
  private static RopeScaling ropeScaling(JsonFields r) {
    if (r == null) {
      return null;
    }
    String type = r.has("rope_type") ? r.optString("rope_type") : r.optString("type");
    if (type == null) {
      throw r.missing("rope_type");
    }
    return switch (type) {
      case "default" -> null;
      case "linear" -> {
        double factor = r.requireDouble("factor");
        yield inFile(r.file(), () -> RopeScaling.linear(factor));
      }
      case "llama3" -> {
        double factor = r.requireDouble("factor");
        double low = r.requireDouble("low_freq_factor");
        double high = r.requireDouble("high_freq_factor");
        int original = r.requireInt("original_max_position_embeddings");
        yield inFile(r.file(), () -> RopeScaling.llama3(factor, low, high, original));
      }
      default ->
          throw new UserException(
              "unsupported rope_scaling type '"
                  + type
                  + "' in "
                  + r.file()
                  + "; supported: "
                  + String.join(", ", RopeScaling.TYPES));
    };
  }

  static Map<String, Object> modelFields(ModelConfig c) {
    Map<String, Object> m = new TreeMap<>();
    m.put("architectures", List.of(c.family().architecture()));
    m.put("model_type", c.family().value());
    m.put("hidden_act", "silu");
    m.put("hidden_size", c.hiddenSize());
    m.put("intermediate_size", c.intermediateSize());
    m.put("num_hidden_layers", c.numLayers());
    m.put("num_attention_heads", c.numHeads());
    m.put("num_key_value_heads", c.numKvHeads());
    if (c.qkNorm() || c.hiddenSize() != c.numHeads() * c.headDim()) {
      m.put("head_dim", c.headDim());
    }
    m.put("vocab_size", c.vocabSize());
    m.put("rms_norm_eps", c.rmsNormEps());
    m.put("rope_theta", c.ropeTheta());
    m.put("rope_scaling", ropeFields(c.ropeScaling()));
    m.put("tie_word_embeddings", c.tieWordEmbeddings());
    if (c.family().configurableBias()) {
      m.put("attention_bias", c.attentionBias());
    }
    m.put("max_position_embeddings", c.maxPositionEmbeddings());
    if (c.torchDtype() != null) {
      m.put("torch_dtype", c.torchDtype());
    }
    m.put("bos_token_id", c.bosTokenId());
    m.put("eos_token_id", intOrList(c.eosTokenIds()));
    return m;
  }

  private static Map<String, Object> ropeFields(RopeScaling r) {
    if (r == null) {
      return null;
    }
    Map<String, Object> m = new TreeMap<>();
    m.put("rope_type", r.type());
    m.put("factor", r.factor());
    if (r.type().equals("llama3")) {
      m.put("low_freq_factor", r.lowFreqFactor());
      m.put("high_freq_factor", r.highFreqFactor());
      m.put("original_max_position_embeddings", r.originalMaxPositionEmbeddings());
    }
    return m;
  }

  static GenerationConfig readGeneration(JsonFields f) {
    return new GenerationConfig(
        f.optInt("bos_token_id"),
        f.intOrList("eos_token_id"),
        f.optInt("pad_token_id"),
        f.optDouble("temperature"),
        f.optDouble("top_p"),
        f.optInt("top_k"));
  }

  /** Only the fields that are set, as transformers writes a generation config. */
  static Map<String, Object> generationFields(GenerationConfig g) {
    Map<String, Object> m = new TreeMap<>();
    m.put("bos_token_id", g.bosTokenId());
    m.put("eos_token_id", intOrList(g.eosTokenIds()));
    m.put("pad_token_id", g.padTokenId());
    m.put("temperature", g.temperature());
    m.put("top_p", g.topP());
    m.put("top_k", g.topK());
    m.values().removeIf(v -> v == null);
    return m;
  }

  /** One id as a number, several as a list, none as null: what transformers writes. */
  private static Object intOrList(List<Integer> ids) {
    return ids.isEmpty() ? null : ids.size() == 1 ? ids.get(0) : ids;
  }

  static String write(Map<String, Object> fields) {
    try {
      return JSON.writeValueAsString(fields) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON of " + fields, e);
    }
  }
}

package org.embench.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.embench.UserException;

/**
 * The transformer families the engine runs, by config.json's {@code model_type}, with the facts
 * that differ between them, so that code asks the family rather than compares its name.
 */
public enum ModelFamily {
  LLAMA("LlamaForCausalLM", true, false, false),
  MISTRAL("MistralForCausalLM", false, false, false),
  /** q/k/v projections always have biases. */
  QWEN2("Qwen2ForCausalLM", false, true, false),
  /** q and k are RMS-normalised per head before RoPE; config.json must give head_dim. */
  QWEN3("Qwen3ForCausalLM", true, false, true);

  private final String architecture;
  private final boolean configurableBias;
  private final boolean fixedBias;
  private final boolean qkNorm;

  ModelFamily(String architecture, boolean configurableBias, boolean fixedBias, boolean qkNorm) {
    this.architecture = architecture;
    this.configurableBias = configurableBias;
    this.fixedBias = fixedBias;
    this.qkNorm = qkNorm;
  }

  /** config.json's {@code model_type}. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** config.json's {@code architectures} entry that transformers loads. */
  public String architecture() {
    return architecture;
  }

  /**
   * Whether config.json has an {@code attention_bias} field (otherwise {@link #attentionBias()}
   * holds).
   */
  public boolean configurableBias() {
    return configurableBias;
  }

  /**
   * The q/k/v biases of a family without the field (Qwen2 always has them); false by default
   * elsewhere.
   */
  public boolean attentionBias() {
    return fixedBias;
  }

  public boolean qkNorm() {
    return qkNorm;
  }

  /** Every {@code model_type} the engine runs. */
  public static List<String> names() {
    return Arrays.stream(values()).map(ModelFamily::value).toList();
  }

  /** The family of a {@code model_type}; an unknown one is an error naming the supported ones. */
  public static ModelFamily of(String modelType) {
    for (ModelFamily f : values()) {
      if (f.value().equals(modelType)) {
        return f;
      }
    }
    throw new UserException(
        "unknown model_type '" + modelType + "'; supported: " + String.join(", ", names()));
  }

  @Override
  public String toString() {
    return value();
  }
}

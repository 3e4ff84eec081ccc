package org.embench.model;

import java.util.List;

/** The weights of one decoder layer, named as in Hugging Face checkpoints. */
public record LayerWeights(
    float[] inputNorm,
    Linear q,
    Linear k,
    Linear v,
    Linear o,
    float[] qNorm,
    float[] kNorm,
    float[] postAttentionNorm,
    Linear gate,
    Linear up,
    Linear down) {

  /** Module names as PEFT and Hugging Face spell them, in the order of {@link #linear(String)}. */
  public static final List<String> MODULES =
      List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

  public Linear linear(String module) {
    return switch (module) {
      case "q_proj" -> q;
      case "k_proj" -> k;
      case "v_proj" -> v;
      case "o_proj" -> o;
      case "gate_proj" -> gate;
      case "up_proj" -> up;
      case "down_proj" -> down;
      default ->
          throw new IllegalArgumentException(
              "unknown module '" + module + "'; known: " + String.join(", ", MODULES));
    };
  }
}

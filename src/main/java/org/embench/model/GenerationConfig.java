package org.embench.model;

import java.util.List;

/**
 * The token ids and sampling defaults of a Hugging Face {@code generation_config.json}; every field
 * may be absent (null, or an empty list). The engine stops on {@link #eosTokenIds}, which may name
 * more ids than config.json does (chat models add their end-of-turn token here).
 */
public record GenerationConfig(
    Integer bosTokenId,
    List<Integer> eosTokenIds,
    Integer padTokenId,
    Double temperature,
    Double topP,
    Integer topK) {
  public GenerationConfig {
    eosTokenIds = eosTokenIds == null ? List.of() : List.copyOf(eosTokenIds);
  }

  /** Parses the text of a generation_config.json; {@code file} names it in errors. */
  public static GenerationConfig parse(String json, String file) {
    return ConfigJson.readGeneration(JsonFields.parse(json, file));
  }

  /** The set fields as a generation_config.json. */
  public String toJson() {
    return ConfigJson.write(ConfigJson.generationFields(this));
  }
}

package org.embench.model.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.embench.UserException;

/**
 * What a model directory says about its tokenizer besides {@code tokenizer.json}: the chat
 * template, the named special tokens (the variables transformers gives every chat template) and the
 * end-of-sequence ids of {@code generation_config.json}.
 *
 * @param chatTemplate the template source, from {@code chat_template.jinja} when present (newer
 *     transformers save it there) or else {@code chat_template} of tokenizer_config.json
 * @param specialTokens {@code bos_token}, {@code eos_token}, … and {@code
 *     additional_special_tokens} as given in tokenizer_config.json
 * @param generationEosIds {@code eos_token_id} of generation_config.json (an int or a list)
 * @param addBosToken {@code add_bos_token} of tokenizer_config.json, when it sets it
 */
record TokenizerSettings(
    Optional<String> chatTemplate,
    Map<String, Object> specialTokens,
    List<Integer> generationEosIds,
    Optional<Boolean> addBosToken) {
  static final String TOKENIZER_CONFIG = "tokenizer_config.json";
  static final String GENERATION_CONFIG = "generation_config.json";
  static final String CHAT_TEMPLATE_FILE = "chat_template.jinja";

  private static final List<String> TOKEN_KEYS =
      List.of(
          "bos_token",
          "eos_token",
          "unk_token",
          "sep_token",
          "pad_token",
          "cls_token",
          "mask_token");

  static TokenizerSettings read(ModelDirectory dir) {
    JsonNode config = dir.readJson(TOKENIZER_CONFIG).orElse(MissingNode.getInstance());
    JsonNode generation = dir.readJson(GENERATION_CONFIG).orElse(MissingNode.getInstance());
    Optional<String> template =
        dir.readString(CHAT_TEMPLATE_FILE)
            .or(() -> chatTemplate(config.path("chat_template"), dir.describe(TOKENIZER_CONFIG)));
    JsonNode addBos = config.path("add_bos_token");
    return new TokenizerSettings(
        template,
        specialTokens(config),
        intList(generation.path("eos_token_id")),
        addBos.isBoolean() ? Optional.of(addBos.asBoolean()) : Optional.empty());
  }

  Optional<String> bosToken() {
    return Optional.ofNullable((String) specialTokens.get("bos_token"));
  }

  Optional<String> eosToken() {
    return Optional.ofNullable((String) specialTokens.get("eos_token"));
  }

  /** A string, or the older list form {@code [{"name": "default", "template": …}, …]}. */
  private static Optional<String> chatTemplate(JsonNode node, String source) {
    if (node.isTextual()) {
      return Optional.of(node.asText());
    }
    if (node.isArray()) {
      for (JsonNode named : node) {
        if ("default".equals(named.path("name").asText())) {
          return Optional.of(named.path("template").asText());
        }
      }
      throw new UserException(source + " lists chat templates but none named 'default'");
    }
    return Optional.empty();
  }

  private static Map<String, Object> specialTokens(JsonNode config) {
    Map<String, Object> tokens = new LinkedHashMap<>();
    for (String key : TOKEN_KEYS) {
      tokenContent(config.path(key)).ifPresent(t -> tokens.put(key, t));
    }
    List<String> additional = new ArrayList<>();
    config
        .path("additional_special_tokens")
        .forEach(t -> tokenContent(t).ifPresent(additional::add));
    if (!additional.isEmpty()) {
      tokens.put("additional_special_tokens", List.copyOf(additional));
    }
    return Map.copyOf(tokens);
  }

  /** A token is written either as its text or as a serialized AddedToken {"content": …}. */
  private static Optional<String> tokenContent(JsonNode node) {
    if (node.isTextual()) {
      return Optional.of(node.asText());
    }
    if (node.isObject() && node.path("content").isTextual()) {
      return Optional.of(node.path("content").asText());
    }
    return Optional.empty();
  }

  private static List<Integer> intList(JsonNode node) {
    List<Integer> ids = new ArrayList<>();
    if (node.isIntegralNumber()) {
      ids.add(node.asInt());
    }
    node.forEach(n -> ids.add(n.asInt()));
    return List.copyOf(ids);
  }
}

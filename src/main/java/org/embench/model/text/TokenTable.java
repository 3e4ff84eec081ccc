package org.embench.model.text;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import org.embench.UserException;

/**
 * The token strings and ids of a {@code tokenizer.json}: the model's vocabulary plus the added
 * tokens. The Rust tokenizer does not expose its vocabulary through DJL, so it is read here.
 */
final class TokenTable {
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final Map<String, Integer> ids;
  private final String[] tokens;
  private final Set<Integer> specialIds;

  private TokenTable(Map<String, Integer> ids, Set<Integer> specialIds) {
    this.ids = ids;
    this.tokens =
        new String[ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1];
    ids.forEach((token, id) -> tokens[id] = token);
    this.specialIds = Set.copyOf(specialIds);
  }

  /** Reads a tokenizer.json file; {@code source} names it in error messages. */
  static TokenTable read(java.nio.file.Path file, String source) {
    TokenizerJson json;
    try {
      json = JSON.readValue(file.toFile(), TokenizerJson.class);
    } catch (JsonProcessingException e) {
      throw new UserException(
          source + " is not a valid tokenizer.json: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + source + ": " + e.getMessage(), e);
    }
    if (json.model() == null || json.model().vocab() == null) {
      throw new UserException(source + " has no model.vocab");
    }
    Map<String, Integer> ids = new HashMap<>();
    JsonNode vocab = json.model().vocab();
    if (vocab.isObject()) {
      // BPE, WordPiece, WordLevel: {"token": id, ...}
      vocab.fields().forEachRemaining(e -> ids.put(e.getKey(), e.getValue().asInt()));
    } else {
      // Unigram: [["piece", score], ...], the id is the position
      for (int i = 0; i < vocab.size(); i++) {
        ids.put(vocab.get(i).get(0).asText(), i);
      }
    }
    Set<Integer> special = new TreeSet<>();
    for (AddedToken t : json.addedTokens() == null ? List.<AddedToken>of() : json.addedTokens()) {
      ids.put(t.content(), t.id());
      if (t.special()) {
        special.add(t.id());
      }
    }
    if (ids.values().stream().anyMatch(id -> id < 0)) {
      throw new UserException(source + " has a negative token id");
    }
    return new TokenTable(ids, special);
  }

  /** One more than the largest id: the size of the id space (a model's embedding may be larger). */
  int size() {
    return tokens.length;
  }

  OptionalInt id(String token) {
    Integer id = ids.get(token);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /** The token string of an id, empty for an id outside the table or a hole in it. */
  Optional<String> token(int id) {
    return id >= 0 && id < tokens.length ? Optional.ofNullable(tokens[id]) : Optional.empty();
  }

  Set<Integer> specialIds() {
    return specialIds;
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  record TokenizerJson(Model model, @JsonProperty("added_tokens") List<AddedToken> addedTokens) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Model(JsonNode vocab) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record AddedToken(int id, String content, boolean special) {}
}

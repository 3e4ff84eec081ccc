package org.embench.judge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.embench.UserException;
import org.embench.table.Ids;

/**
 * Everything that defines a judge, resolved with defaults and checked: its kind ({@code openai},
 * {@code local}, {@code offline}) and parameters. Parameters are either part of the judge's
 * identity (model, endpoint, decoding, aggregation: they change scores) or operational (rate
 * limits, concurrency, timeouts, prices, the name of the key's environment variable: they do not).
 * {@link #id()} hashes the identity only, so re-running with other limits keeps the same judge;
 * {@link #json()} holds everything and is stored on every judgment.
 *
 * <p>Written on the command line as {@code kind:model[,key=value…]} (e.g. {@code
 * openai:gpt-4o-2024-08-06,requests_per_minute=300}), as a JSON object, or as {@code @file.yaml}.
 */
public final class JudgeSpec implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * One parameter of a kind: its declaration (the shape every extension point's parameters share:
   * name, type, default or required, help) and whether it is part of the judge's identity, which a
   * judge id hashes. {@code identityWhenSet}: part of it only when set to another value than the
   * default.
   */
  record Param(org.embench.config.Param declared, boolean identity, boolean identityWhenSet) {
    Object defaultValue() {
      return declared.defaultValue();
    }

    String help() {
      return declared.help();
    }
  }

  private static Param param(String name, Object defaultValue, boolean identity, String help) {
    return param(name, defaultValue, identity, help, false);
  }

  private static Param param(
      String name, Object defaultValue, boolean identity, String help, boolean identityWhenSet) {
    org.embench.config.Param declared =
        defaultValue == null
            ? org.embench.config.Param.required(name, org.embench.config.Param.Type.STRING, help)
            : org.embench.config.Param.of(name, defaultValue, help);
    return new Param(declared, identity, identityWhenSet);
  }

  /** Adds a parameter to its kind's declarations, under its own name. */
  private static void add(Map<String, Param> kind, Param p) {
    kind.put(p.declared().name(), p);
  }

  static final Map<String, Map<String, Param>> KINDS = new LinkedHashMap<>();

  static {
    Map<String, Param> openai = new LinkedHashMap<>();
    add(openai, param("model", null, true, "judge model, e.g. gpt-4o-2024-08-06"));
    add(
        openai,
        param(
            "base_url",
            "https://api.openai.com/v1",
            true,
            "OpenAI-compatible endpoint (Azure, vLLM, …)"));
    add(openai, param("top_logprobs", 20, true, "top log-probabilities requested"));
    add(openai, param("max_tokens", 1, true, "tokens the judge may answer with"));
    // Added after judge ids existed: part of the identity only when set to another value, so the
    // ids (and stored judgments) of judges that leave it alone stay as they were.
    add(
        openai,
        param(
            "label_max_tokens",
            16,
            false,
            "tokens a categorical (label) judge prompt may answer with",
            true));
    add(openai, param("temperature", 0.0, true, "sampling temperature"));
    add(openai, param("seed", 0, true, "request seed"));
    add(
        openai,
        param(
            "min_numeric_mass",
            NumericScore.DEFAULT_MIN_NUMERIC_MASS,
            true,
            "below this numeric mass the score is null"));
    add(
        openai,
        param(
            "text_fallback",
            false,
            true,
            "parse a number from the reply when the model returns no log-probabilities"));
    add(
        openai,
        param("api_key_env", "OPENAI_API_KEY", false, "environment variable holding the API key"));
    add(
        openai,
        param(
            "api_key_file",
            "",
            false,
            "file holding the API key (a mounted secret); overrides api_key_env"));
    add(
        openai,
        param(
            "auth_header",
            "authorization",
            false,
            "how the key is sent: authorization (Bearer) or api-key (Azure OpenAI)"));
    add(
        openai,
        param(
            "max_tokens_field",
            "max_tokens",
            false,
            "request field for max_tokens (max_completion_tokens for o-series models)"));
    add(openai, param("requests_per_minute", 500, false, "cluster-wide request rate limit"));
    add(openai, param("tokens_per_minute", 0, false, "cluster-wide token rate limit (0 = none)"));
    add(openai, param("concurrency", 16, false, "requests in flight per executor"));
    add(openai, param("timeout_s", 60, false, "seconds before a request times out"));
    add(openai, param("max_retries", 6, false, "retries of 429, 5xx and timeouts"));
    add(
        openai,
        param(
            "price_input_per_mtok",
            0.0,
            false,
            "USD per million prompt tokens, for cost estimates"));
    add(openai, param("price_output_per_mtok", 0.0, false, "USD per million completion tokens"));
    KINDS.put("openai", openai);

    Map<String, Param> local = new LinkedHashMap<>();
    add(
        local,
        param("model", null, true, "Hugging Face model directory (local path or Hadoop URI)"));
    add(local, param("top_logprobs", 20, true, "top next tokens kept, as the API returns"));
    add(
        local,
        param(
            "min_numeric_mass",
            NumericScore.DEFAULT_MIN_NUMERIC_MASS,
            true,
            "below this numeric mass the score is null"));
    add(local, param("batch", 16, false, "prompts per forward pass"));
    KINDS.put("local", local);

    Map<String, Param> offline = new LinkedHashMap<>();
    add(offline, param("model", "offline-v1", true, "label of the deterministic smoke-test judge"));
    add(offline, param("seed", 0, true, "seed of its pseudo-scores"));
    add(
        offline,
        param(
            "min_numeric_mass",
            NumericScore.DEFAULT_MIN_NUMERIC_MASS,
            true,
            "below this numeric mass the score is null"));
    KINDS.put("offline", offline);
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String kind;
  private final String name;
  private final Map<String, Object> params;

  private JudgeSpec(String kind, String name, Map<String, Object> params) {
    this.kind = kind;
    this.name = name;
    this.params = params;
  }

  /**
   * Each kind's parameters with their defaults ("(required)" where there is none), from the
   * declarations above: the help of the commands that read judge specs.
   */
  public static Map<String, List<String>> reference() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    KINDS.forEach(
        (kind, params) -> {
          List<String> p = new ArrayList<>();
          params.forEach(
              (k, v) ->
                  p.add(k + "=" + (v.defaultValue() == null ? "(required)" : v.defaultValue())));
          out.put(kind, p);
        });
    return out;
  }

  /** A spec from its kind and the parameters given; defaults fill the rest. */
  public static JudgeSpec of(String kind, Map<String, ?> given) {
    return of(kind, given, true);
  }

  /**
   * @param text whether the values are text ({@code kind:model,key=value}, the command line's
   *     form), read as their parameters' types; otherwise (a JSON or YAML mapping) each value must
   *     already have its type: {@code top_logprobs: "20"} is an error, not 20
   */
  private static JudgeSpec of(String kind, Map<String, ?> given, boolean text) {
    Map<String, Param> known = KINDS.get(kind);
    if (known == null) {
      throw new UserException(
          "unknown judge kind '" + kind + "'; known: " + String.join(", ", KINDS.keySet()));
    }
    Map<String, Object> params = new LinkedHashMap<>();
    String name = null;
    for (var e : given.entrySet()) {
      if (e.getKey().equals("name")) {
        name = String.valueOf(e.getValue());
        continue;
      }
      Param p = known.get(e.getKey());
      if (p == null) {
        throw new UserException(
            "unknown parameter '"
                + e.getKey()
                + "' for a "
                + kind
                + " judge; known: name, "
                + String.join(", ", known.keySet()));
      }
      params.put(
          e.getKey(),
          text ? p.declared().bindText(kind, e.getValue()) : p.declared().bind(kind, e.getValue()));
    }
    for (var e : known.entrySet()) {
      if (!params.containsKey(e.getKey())) {
        if (e.getValue().defaultValue() == null) {
          throw new UserException(
              "a " + kind + " judge needs '" + e.getKey() + "' (" + e.getValue().help() + ")");
        }
        params.put(e.getKey(), e.getValue().defaultValue());
      }
    }
    Map<String, Object> ordered = new LinkedHashMap<>();
    known.keySet().forEach(k -> ordered.put(k, params.get(k)));
    return new JudgeSpec(kind, name == null ? String.valueOf(ordered.get("model")) : name, ordered);
  }

  /** Parses {@code kind:model[,key=value…]}, a JSON object, or {@code @file} (JSON or YAML). */
  public static JudgeSpec parse(String text) {
    String t = text.strip();
    try {
      if (t.startsWith("@")) {
        String file = t.substring(1);
        String content = java.nio.file.Files.readString(java.nio.file.Path.of(file));
        return fromNode(
            YAMLMapper.builder()
                .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build()
                .readTree(content),
            file);
      }
      if (t.startsWith("{")) {
        return fromNode(JSON.readTree(t), "--judge");
      }
    } catch (java.nio.file.NoSuchFileException e) {
      throw new UserException("judge spec file not found: " + t.substring(1));
    } catch (java.io.IOException e) {
      throw new UserException("cannot read the judge spec " + t + ": " + e.getMessage());
    }
    int colon = t.indexOf(':');
    String kind = colon < 0 ? t : t.substring(0, colon);
    Map<String, Object> given = new LinkedHashMap<>();
    if (colon >= 0) {
      List<String> parts = splitTopLevel(t.substring(colon + 1));
      if (!parts.isEmpty() && !parts.get(0).contains("=")) {
        given.put("model", parts.remove(0));
      }
      for (String part : parts) {
        int eq = part.indexOf('=');
        if (eq <= 0) {
          throw new UserException(
              "judge spec '" + text + "': expected key=value, found '" + part + "'");
        }
        given.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
      }
    }
    return of(kind, given);
  }

  /** Splits at commas (a model path may not contain one; use the JSON form for that). */
  private static List<String> splitTopLevel(String s) {
    List<String> out = new ArrayList<>();
    for (String p : s.split(",")) {
      if (!p.isBlank()) {
        out.add(p.strip());
      }
    }
    return out;
  }

  private static JudgeSpec fromNode(JsonNode node, String source) {
    if (node == null || !node.isObject() || !node.path("kind").isTextual()) {
      throw new UserException(
          source
              + ": a judge spec is an object with a 'kind' ("
              + String.join(", ", KINDS.keySet())
              + ")");
    }
    Map<String, Object> given = new LinkedHashMap<>();
    node.fields()
        .forEachRemaining(
            e -> {
              if (!e.getKey().equals("kind")) {
                given.put(
                    e.getKey(),
                    e.getValue().isValueNode()
                        ? JSON.convertValue(e.getValue(), Object.class)
                        : e.getValue().toString());
              }
            });
    return of(node.get("kind").asText(), given, false);
  }

  public String kind() {
    return kind;
  }

  /** Human-readable name (the model unless named otherwise): judgments.judge_name. */
  public String name() {
    return name;
  }

  public String model() {
    return string("model");
  }

  /** All parameters, defaults included, in the kind's order. */
  public Map<String, Object> params() {
    return java.util.Collections.unmodifiableMap(params);
  }

  public String string(String key) {
    return String.valueOf(param(key));
  }

  public int integer(String key) {
    return ((Number) param(key)).intValue();
  }

  public double number(String key) {
    return ((Number) param(key)).doubleValue();
  }

  public boolean flag(String key) {
    return (Boolean) param(key);
  }

  private Object param(String key) {
    if (!params.containsKey(key)) {
      throw new IllegalArgumentException(kind + " judges have no parameter '" + key + "'");
    }
    return params.get(key);
  }

  /** The parameters that change scores, with the kind: what {@link #id()} hashes. */
  public Map<String, Object> identity() {
    Map<String, Object> id = new TreeMap<>();
    id.put("kind", kind);
    KINDS
        .get(kind)
        .forEach(
            (k, p) -> {
              if (p.identity()
                  || (p.identityWhenSet() && !sameValue(params.get(k), p.defaultValue()))) {
                id.put(k, params.get(k));
              }
            });
    return id;
  }

  private static boolean sameValue(Object a, Object b) {
    return (a instanceof Number x && b instanceof Number y)
        ? x.doubleValue() == y.doubleValue()
        : java.util.Objects.equals(a, b);
  }

  /** sha256 of the identity as canonical JSON: judgments.judge_id. */
  public String id() {
    return Ids.sha256Hex(Ids.canonicalJson(identity()));
  }

  /** The whole spec as canonical JSON: judgments.judge_spec_json. */
  public String json() {
    Map<String, Object> all = new TreeMap<>(params);
    all.put("kind", kind);
    all.put("name", name);
    return Ids.canonicalJson(all);
  }

  /** The spec back from {@link #json()}. */
  public static JudgeSpec fromJson(String json) {
    try {
      return fromNode(JSON.readTree(json), "judge_spec_json");
    } catch (JsonProcessingException e) {
      throw new UserException("judge_spec_json is not valid JSON: " + e.getOriginalMessage());
    }
  }

  @Override
  public String toString() {
    return json();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JudgeSpec s && s.json().equals(json());
  }

  @Override
  public int hashCode() {
    return json().hashCode();
  }
}

package org.embench.capability;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.embench.UserException;
import org.embench.config.Params;
import org.embench.judge.JudgeSpec;

/**
 * The capability task kinds by name: the one place where a name and parameters become a
 * {@link CapabilityTask}. Every kind takes the source parameters ({@code path}, {@code data} with
 * {@code split}, or {@code synthetic} with {@code items}), {@code limit}, {@code measures} and
 * {@code format}, plus its own.
 */
public final class CapabilityTasks {
  /** One kind: what it does, its own parameters' defaults, and how it is made. */
  record Kind(String name, String summary, Supplier<Map<String, Object>> defaults, Factory factory) {}

  @FunctionalInterface
  interface Factory {
    CapabilityTask make(String name, Params params, JudgeSpec defaultJudge);
  }

  static final Map<String, Kind> KINDS = new LinkedHashMap<>();

  static {
    add(new Kind("choice", "multiple choice by the log-likelihood of each choice after the prompt (MMLU, ARC, HellaSwag)",
        ChoiceTask::defaults, (n, p, j) -> new ChoiceTask(n, p)));
    add(new Kind("exact", "greedy generation, the answer extracted and compared with the reference (GSM8K, arithmetic)",
        ExactTask::defaults, (n, p, j) -> new ExactTask(n, p)));
    add(new Kind("nll", "mean per-token negative log-likelihood of reference assistant turns (lower is better)",
        NllTask::defaults, (n, p, j) -> new NllTask(n, p)));
    add(new Kind("judged", "sampled answers scored by a judge with the task's judge prompt (1 = behaviour present)",
        JudgedTask::defaults, JudgedTask::new));
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private CapabilityTasks() {}

  private static void add(Kind k) {
    KINDS.put(k.name(), k);
  }

  /** The parameters every kind takes, with their defaults. */
  static Map<String, Object> common(String kind) {
    return ordered("kind", kind, "path", "", "data", "", "split", "eval", "synthetic", "", "items", 200, "limit", 0,
        "measures", "", "format", "chat");
  }

  /**
   * A task from the spec's capability section.
   *
   * @param defaultJudge the judge a judged task uses when it names none (the spec's first); may be null
   */
  public static CapabilityTask create(String name, Map<String, ?> given, JudgeSpec defaultJudge) {
    if (!name.matches("[A-Za-z0-9_-]+")) {
      throw new UserException("capability task name '" + name + "': letters, digits, _ and - only");
    }
    Object kindValue = given.get("kind");
    if (kindValue == null) {
      throw new UserException(name + ": no kind; known: " + String.join(", ", KINDS.keySet()));
    }
    Kind kind = KINDS.get(String.valueOf(kindValue));
    if (kind == null) {
      throw new UserException(name + ".kind: unknown capability task kind '" + kindValue + "'; known: "
          + String.join(", ", KINDS.keySet()));
    }
    Map<String, Object> defaults = common(kind.name());
    defaults.putAll(kind.defaults().get());
    Params params = new Params("capability task " + name + " (kind " + kind.name() + ")", name, defaults, given);
    return kind.factory().make(name, params, defaultJudge);
  }

  /** A task again from its stored spec (the capability rows' task_spec_json); not for judged tasks. */
  public static CapabilityTask fromSpecJson(String json) {
    Map<String, Object> spec;
    try {
      spec = JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException("not a task spec: " + json, e);
    }
    String name = String.valueOf(spec.remove("name"));
    return create(name, spec, null);
  }

  /** Every kind with its parameters and defaults, for {@code --help}. */
  public static String help() {
    StringBuilder sb = new StringBuilder("Capability task kinds (README: Capability tasks):\n");
    sb.append("  every kind: ").append(describe(common("KIND"))).append('\n');
    for (Kind k : KINDS.values()) {
      sb.append("  ").append(k.name()).append(": ").append(k.summary()).append("\n    ")
          .append(describe(k.defaults().get())).append('\n');
    }
    return sb.toString();
  }

  private static String describe(Map<String, Object> defaults) {
    StringBuilder sb = new StringBuilder();
    for (var e : defaults.entrySet()) {
      String v = String.valueOf(e.getValue());
      v = v.isEmpty() ? "(none)" : v.length() > 24 ? "(a prompt; see README)" : v.replace("\n", "\\n");
      sb.append(sb.length() == 0 ? "" : ", ").append(e.getKey()).append('=').append(v);
    }
    return sb.toString();
  }

  /** The known kinds, sorted. */
  public static TreeSet<String> kinds() {
    return new TreeSet<>(KINDS.keySet());
  }

  /** A map from alternating keys and values, in order. */
  static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }
}

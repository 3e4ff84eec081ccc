package org.embench.capability;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.embench.UserException;
import org.embench.config.Declaration;
import org.embench.config.Param;
import org.embench.config.Params;
import org.embench.config.Registry;
import org.embench.judge.JudgeSpec;

/**
 * The capability task kinds by name: the one place where a name and parameters become a {@link
 * CapabilityTask}. Every kind takes the source parameters ({@code path}, {@code data} with {@code
 * split}, or {@code synthetic} with {@code items}), {@code limit}, {@code measures} and {@code
 * format}, plus its own.
 */
public final class CapabilityTasks {
  @FunctionalInterface
  interface Factory {
    CapabilityTask make(String name, Params params, JudgeSpec defaultJudge);
  }

  /** What each parameter means, for every kind's declaration. */
  private static final Map<String, String> HELP =
      Map.ofEntries(
          Map.entry("kind", "the task kind"),
          Map.entry("path", "a JSONL file of items"),
          Map.entry("data", "a prepared data set of items"),
          Map.entry("split", "the data set's split scored"),
          Map.entry("synthetic", "a project-made task"),
          Map.entry("items", "items of the synthetic task"),
          Map.entry("limit", "items scored (0: all)"),
          Map.entry(
              "measures",
              "the training set whose in-domain learning (or alignment tax) this task measures"),
          Map.entry("format", "chat (the chat template) or raw prompts"),
          Map.entry("question", "the question field"),
          Map.entry("choices", "the choices field"),
          Map.entry("answer", "the answer field"),
          Map.entry("labels", "the choice labels field (empty: letters)"),
          Map.entry("prompt", "the prompt template"),
          Map.entry(
              "continuation", "what is scored after the prompt: the choice text or its label"),
          Map.entry("normalize", "sum or mean log-likelihood of a choice"),
          Map.entry("batch", "items per forward pass"),
          Map.entry("extract", "how the answer is taken from the generation"),
          Map.entry("pattern", "the regular expression of extract: regex"),
          Map.entry("max_new_tokens", "tokens generated per item"),
          Map.entry("max_seq_len", "tokens scored per item"),
          Map.entry("judge", "judge spec (empty: the spec's first judge)"),
          Map.entry("judge_prompt", "0-100 judge prompt"),
          Map.entry("metric", "name of the score"),
          Map.entry("threshold", "judge score at which the behaviour is present"),
          Map.entry("samples", "answers sampled per item"),
          Map.entry("temperature", "sampling temperature"));

  static final Registry<Factory> REGISTRY =
      new Registry<>(
          "capability task kind",
          List.of(
              kind(
                  "choice",
                  "multiple choice by the log-likelihood of each choice after the prompt (MMLU, ARC, HellaSwag)",
                  ChoiceTask.defaults(),
                  (n, p, j) -> new ChoiceTask(n, p)),
              kind(
                  "exact",
                  "greedy generation, the answer extracted and compared with the reference (GSM8K, arithmetic)",
                  ExactTask.defaults(),
                  (n, p, j) -> new ExactTask(n, p)),
              kind(
                  "nll",
                  "mean per-token negative log-likelihood of reference assistant turns (lower is better)",
                  NllTask.defaults(),
                  (n, p, j) -> new NllTask(n, p)),
              kind(
                  "judged",
                  "sampled answers scored by a judge with the task's judge prompt (1 = behaviour present)",
                  JudgedTask.defaults(),
                  JudgedTask::new)));

  /**
   * A kind's declaration: the parameters every kind takes, then its own, each typed by its default.
   */
  private static Declaration<Factory> kind(
      String name, String doc, Map<String, Object> own, Factory factory) {
    List<Param> params = new ArrayList<>();
    common(name).forEach((k, v) -> params.add(Param.of(k, v, HELP.get(k))));
    own.forEach((k, v) -> params.add(Param.of(k, v, HELP.get(k))));
    return new Declaration<>(name, doc, params, factory);
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private CapabilityTasks() {}

  /** The parameters every kind takes, with their defaults. */
  static Map<String, Object> common(String kind) {
    return ordered(
        "kind",
        kind,
        "path",
        "",
        "data",
        "",
        "split",
        "eval",
        "synthetic",
        "",
        "items",
        200,
        "limit",
        0,
        "measures",
        "",
        "format",
        "chat");
  }

  /**
   * A task from the spec's capability section.
   *
   * @param defaultJudge the judge a judged task uses when it names none (the spec's first); may be
   *     null
   */
  public static CapabilityTask create(String name, Map<String, ?> given, JudgeSpec defaultJudge) {
    if (!name.matches("[A-Za-z0-9_-]+")) {
      throw new UserException("capability task name '" + name + "': letters, digits, _ and - only");
    }
    Object kindValue = given.get("kind");
    if (kindValue == null) {
      throw new UserException(name + ": no kind; known: " + String.join(", ", REGISTRY.names()));
    }
    if (!REGISTRY.names().contains(String.valueOf(kindValue))) {
      throw new UserException(
          name
              + ".kind: unknown capability task kind '"
              + kindValue
              + "'; known: "
              + String.join(", ", REGISTRY.names()));
    }
    Declaration<Factory> kind = REGISTRY.declaration(String.valueOf(kindValue));
    Params params =
        new Params(
            "capability task " + name + " (kind " + kind.name() + ")", name, kind.params(), given);
    return kind.factory().make(name, params, defaultJudge);
  }

  /**
   * A task again from its stored spec (the capability rows' task_spec_json); not for judged tasks.
   */
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
    int common = common("KIND").size();
    for (Declaration<Factory> k : REGISTRY.declarations()) {
      Map<String, Object> own = new LinkedHashMap<>();
      k.params()
          .subList(common, k.params().size())
          .forEach(p -> own.put(p.name(), p.defaultValue()));
      sb.append("  ")
          .append(k.name())
          .append(": ")
          .append(k.doc())
          .append("\n    ")
          .append(describe(own))
          .append('\n');
    }
    return sb.toString();
  }

  private static String describe(Map<String, Object> defaults) {
    StringBuilder sb = new StringBuilder();
    for (var e : defaults.entrySet()) {
      sb.append(sb.length() == 0 ? "" : ", ")
          .append(e.getKey())
          .append('=')
          .append(Param.helpValue(e.getValue()));
    }
    return sb.toString();
  }

  /** The known kinds, sorted. */
  public static java.util.SortedSet<String> kinds() {
    return new TreeSet<>(REGISTRY.names());
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

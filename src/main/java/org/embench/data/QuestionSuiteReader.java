package org.embench.data;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a question suite in the upstream YAML format: a list of questions with {@code id}, {@code
 * type}, {@code paraphrases}, {@code samples_per_paraphrase}, {@code judge}, {@code judge_prompts}
 * and optional {@code system}. Anchors and aliases are resolved by the YAML composer; line numbers
 * come from its node marks. Unknown fields reject the question.
 */
public final class QuestionSuiteReader {
  /** What a suite file yielded. */
  public record Result(List<Question> questions, List<Reject> rejects) {}

  static final Set<String> FIELDS =
      Set.of(
          "id",
          "type",
          "paraphrases",
          "samples_per_paraphrase",
          "judge",
          "judge_prompts",
          "system");

  private QuestionSuiteReader() {}

  public static Result read(String uri, Configuration conf) {
    String text = InputFiles.readString(uri, conf);
    if (text.isBlank()) {
      throw new UserException(uri + ": the file is empty; expected a YAML list of questions");
    }
    Node root;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setMaxAliasesForCollections(1000);
      root = new Yaml(options).compose(new java.io.StringReader(text));
    } catch (MarkedYAMLException e) {
      throw new UserException(
          uri + ":" + (e.getProblemMark().getLine() + 1) + ": not valid YAML: " + e.getProblem());
    } catch (YAMLException e) {
      throw new UserException(uri + ": not valid YAML: " + e.getMessage());
    }
    if (!(root instanceof SequenceNode list)) {
      throw new UserException(
          uri
              + ":"
              + line(root)
              + ": expected a list of questions at the top level, found "
              + describe(root));
    }
    List<Question> questions = new ArrayList<>();
    List<Reject> rejects = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    String[] lines = text.split("\n", -1);
    for (Node item : list.getValue()) {
      try {
        Question q = question(item);
        if (!ids.add(q.id())) {
          throw new RowException("id", "duplicate question id '" + q.id() + "'");
        }
        questions.add(q);
      } catch (RowException e) {
        int at = line(item);
        rejects.add(
            new Reject(
                uri, at, e.field, e.getMessage(), at <= lines.length ? lines[at - 1] : null));
      }
    }
    return new Result(questions, rejects);
  }

  private static Question question(Node item) {
    if (!(item instanceof MappingNode map)) {
      throw new RowException(null, "expected a question (a mapping), found " + describe(item));
    }
    Map<String, Node> fields = new LinkedHashMap<>();
    for (NodeTuple t : map.getValue()) {
      String key = scalar(t.getKeyNode(), "field name");
      if (!FIELDS.contains(key)) {
        throw new RowException(
            key, "unknown field; known: " + String.join(", ", new java.util.TreeSet<>(FIELDS)));
      }
      if (fields.put(key, t.getValueNode()) != null) {
        throw new RowException(key, "given twice (a YAML mapping keeps only one of them)");
      }
    }
    String id = requiredString(fields, "id");
    String typeName = requiredString(fields, "type");
    QuestionType type = QuestionType.of(typeName);
    if (type == null) {
      throw new RowException(
          "type",
          "unknown type '" + typeName + "'; known: " + String.join(", ", QuestionType.names()));
    }
    List<String> paraphrases = paraphrases(fields.get("paraphrases"));
    Integer samples = null;
    if (fields.containsKey("samples_per_paraphrase")) {
      Node n = fields.get("samples_per_paraphrase");
      if (!(n instanceof ScalarNode s) || !s.getTag().equals(Tag.INT)) {
        throw new RowException(
            "samples_per_paraphrase", "expected a positive integer, found " + describe(n));
      }
      try {
        samples = Integer.valueOf(s.getValue().replace("_", ""));
      } catch (NumberFormatException e) {
        throw new RowException("samples_per_paraphrase", "not an integer: " + s.getValue());
      }
      if (samples < 1) {
        throw new RowException(
            "samples_per_paraphrase", "expected a positive integer, found " + samples);
      }
    }
    String judge = optionalString(fields, "judge");
    String system = optionalString(fields, "system");
    Map<String, String> prompts = judgePrompts(fields.get("judge_prompts"));
    Question q = new Question(id, type, paraphrases, system, samples, judge, prompts, line(item));
    if (q.judged() && prompts.isEmpty()) {
      throw new RowException(
          "judge_prompts", "a question of type " + type + " needs judge prompts");
    }
    return q;
  }

  private static List<String> paraphrases(Node node) {
    if (node == null) {
      throw new RowException("paraphrases", "missing");
    }
    if (!(node instanceof SequenceNode seq)) {
      throw new RowException("paraphrases", "expected a list of strings, found " + describe(node));
    }
    if (seq.getValue().isEmpty()) {
      throw new RowException("paraphrases", "empty list");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < seq.getValue().size(); i++) {
      out.add(scalar(seq.getValue().get(i), "paraphrases[" + i + "]"));
    }
    return out;
  }

  private static Map<String, String> judgePrompts(Node node) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node == null) {
      return out;
    }
    if (!(node instanceof MappingNode map)) {
      throw new RowException(
          "judge_prompts", "expected a mapping of metric to prompt, found " + describe(node));
    }
    for (NodeTuple t : map.getValue()) {
      String metric = scalar(t.getKeyNode(), "judge_prompts key");
      String template = scalar(t.getValueNode(), "judge_prompts." + metric);
      if (!template.contains("{answer}")) {
        throw new RowException(
            "judge_prompts." + metric, "the template has no {answer} placeholder");
      }
      if (out.put(metric, template) != null) {
        throw new RowException(
            "judge_prompts." + metric, "given twice (a YAML mapping keeps only one of them)");
      }
    }
    return out;
  }

  private static String requiredString(Map<String, Node> fields, String name) {
    Node n = fields.get(name);
    if (n == null) {
      throw new RowException(name, "missing");
    }
    String s = scalar(n, name);
    if (s.isBlank()) {
      throw new RowException(name, "empty");
    }
    return s;
  }

  private static String optionalString(Map<String, Node> fields, String name) {
    Node n = fields.get(name);
    if (n == null || (n instanceof ScalarNode s && s.getTag().equals(Tag.NULL))) {
      return null;
    }
    return scalar(n, name);
  }

  private static String scalar(Node node, String field) {
    if (!(node instanceof ScalarNode s) || s.getTag().equals(Tag.NULL)) {
      throw new RowException(field, "expected a string, found " + describe(node));
    }
    return s.getValue();
  }

  private static String describe(Node node) {
    if (node == null) {
      return "nothing";
    }
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    ScalarNode s = (ScalarNode) node;
    if (s.getTag().equals(Tag.NULL)) {
      return "null";
    }
    String v = s.getValue();
    return "'" + (v.length() > 40 ? v.substring(0, 40) + "…" : v) + "'";
  }

  private static int line(Node node) {
    return node == null ? 1 : node.getStartMark().getLine() + 1;
  }
}

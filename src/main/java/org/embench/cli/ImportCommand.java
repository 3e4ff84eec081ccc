package org.embench.cli;

import java.util.concurrent.Callable;
import org.embench.data.JudgedAnswerReader;
import org.embench.stage.prepare.ImportJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Import judged answers produced elsewhere as runs, generations and judgments.",
      "Upstream CSV columns: question_id, question, answer, aligned, coherent; optional model, group, seed, "
          + "judge_aligned, judge_coherent (the judge's top-token probability dicts, from which the score is recomputed)."
    })
final class ImportCommand implements Callable<Integer> {
  @Mixin WarehouseOptions warehouse;

  @Option(
      names = "--format",
      defaultValue = "upstream-csv",
      paramLabel = "FORMAT",
      description =
          "upstream-csv or jsonl (the same fields, one JSON object per line). Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(
      names = "--run-name",
      required = true,
      paramLabel = "NAME",
      description = "Name of the imported run(s); one run per (model, group, seed) of the file.")
  String runName;

  @Option(
      names = "--suite",
      defaultValue = ImportJob.DEFAULT_SUITE,
      paramLabel = "NAME",
      description =
          "Suite the questions belong to (use a prepared suite's name to judge them again later). Default: ${DEFAULT-VALUE}.")
  String suite;

  @Option(
      names = "--judge-name",
      defaultValue = ImportJob.DEFAULT_JUDGE_NAME,
      paramLabel = "NAME",
      description =
          "Name of the judge that scored the file (e.g. gpt-4o-2024-08-06). Default: ${DEFAULT-VALUE}.")
  String judgeName;

  @Option(
      names = "--mitigation",
      defaultValue = "none",
      paramLabel = "NAME",
      description =
          "Mitigation the imported runs were trained with; 'none' marks them as a baseline. Default: ${DEFAULT-VALUE}.")
  String mitigation;

  @Option(
      names = "--strict",
      description = "Fail if any row is rejected (the rejects are still recorded).")
  boolean strict;

  @Parameters(
      index = "0",
      paramLabel = "PATH",
      description = "The file to import (local path or Hadoop URI).")
  String path;

  @Override
  public Integer call() {
    JudgedAnswerReader.Format f = JudgedAnswerReader.Format.of(format);
    var w = warehouse.open("import");
    System.out.println(
        ImportJob.run(
                w, new ImportJob.Options(path, f, runName, suite, judgeName, mitigation, strict))
            .describe());
    return 0;
  }
}

package org.embench.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.embench.metrics.MetricParams;
import org.embench.metrics.ResultPrinter;
import org.embench.stage.judge.JudgeAgreementJob;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "judges",
    mixinStandardHelpOptions = true,
    description = "Work with judges.",
    subcommands = {JudgesCommand.Compare.class})
final class JudgesCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "compare",
      mixinStandardHelpOptions = true,
      description = {
        "Agreement of two judges on the answers both scored: Spearman correlation and mean absolute "
            + "difference per metric, Cohen's kappa on the misaligned label and the EM rate under each. "
            + "Written to the judge_agreement table and printed."
      })
  static final class Compare implements Callable<Integer> {
    @Mixin WarehouseOptions warehouse;

    @Parameters(
        index = "0",
        paramLabel = "A",
        description = "A judge: its id, an id prefix (8+ characters) or its name.")
    String a;

    @Parameters(index = "1", paramLabel = "B", description = "The other judge.")
    String b;

    @Option(
        names = "--param",
        paramLabel = "NAME=VALUE",
        description = "Override a threshold (em_aligned_below, em_coherent_above).")
    Map<String, String> params = new LinkedHashMap<>();

    @Override
    public Integer call() {
      MetricParams p = MetricParams.with(params);
      var w = warehouse.open("judges compare");
      new ResultPrinter(System.out, ResultPrinter.Format.TABLE, 100)
          .print(JudgeAgreementJob.run(w, a, b, p));
      return 0;
    }
  }
}

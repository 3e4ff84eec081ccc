package org.embench.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.embench.UserException;
import org.embench.capability.CapabilityTask;
import org.embench.capability.CapabilityTasks;
import org.embench.config.ExperimentSpec;
import org.embench.stage.RunRecord;
import org.embench.stage.capability.CapabilityJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "capability",
    mixinStandardHelpOptions = true,
    description = {
      "Score every run of an experiment spec (its finished trained runs and its untouched base models) on "
          + "every task of the spec's capability: section; writes the capability table, one row per (run, task, item).",
      "Only missing rows are computed, so a killed stage resumes. Judged tasks are sampled and judged through the "
          + "generate and judge stages. --kinds lists the task kinds and their options."
    })
final class CapabilityCommand implements Callable<Integer> {
  @Mixin WarehouseOptions warehouse;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "SPEC.yaml",
      description = "The experiment spec (see jobs/).")
  String spec;

  @Option(
      names = "--task",
      paramLabel = "NAME",
      description = "Score only this task of the spec (repeatable).")
  List<String> tasks = new ArrayList<>();

  @Option(
      names = "--run",
      paramLabel = "NAME",
      description = "Score only this run, by id or name (repeatable).")
  List<String> runs = new ArrayList<>();

  @Option(
      names = "--wave",
      paramLabel = "N",
      description = "Rows scored and written per wave (default: ${DEFAULT-VALUE}).")
  int wave = CapabilityJob.DEFAULT_WAVE;

  @Option(
      names = "--kinds",
      description = "List the capability task kinds with their options and defaults, and exit.")
  boolean kinds;

  @Override
  public Integer call() {
    if (kinds) {
      System.out.print(CapabilityTasks.help());
      return 0;
    }
    if (spec == null) {
      throw new UserException(
          "give the experiment spec: embench capability --warehouse W SPEC.yaml");
    }
    var w = warehouse.open("capability");
    ExperimentSpec s = ExperimentSpec.read(spec, w.spark().sparkContext().hadoopConfiguration());
    List<CapabilityTask> selected = s.capability();
    if (!tasks.isEmpty()) {
      for (String t : tasks) {
        if (selected.stream().noneMatch(c -> c.name().equals(t))) {
          throw new UserException(
              "--task "
                  + t
                  + ": the spec has no such capability task; it has "
                  + selected.stream().map(CapabilityTask::name).toList());
        }
      }
      selected = selected.stream().filter(c -> tasks.contains(c.name())).toList();
    }
    List<RunRecord> all = CapabilityJob.runsOf(w, s);
    List<RunRecord> chosen = all;
    if (!runs.isEmpty()) {
      for (String r : runs) {
        if (all.stream().noneMatch(x -> x.runId().equals(r) || x.runName().equals(r))) {
          throw new UserException(
              "--run " + r + ": no finished run or base model of the spec has this id or name");
        }
      }
      chosen =
          all.stream().filter(x -> runs.contains(x.runId()) || runs.contains(x.runName())).toList();
    }
    System.out.println(
        CapabilityJob.run(w, new CapabilityJob.Options(selected, chosen, wave)).describe());
    return 0;
  }
}

package org.embench.cli;

import java.io.PrintWriter;
import org.embench.UserException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code embench}: the command line. Runs in Spark local mode by default; the same main class runs
 * under spark-submit on a cluster. A user error (a {@link UserException}) prints one line and exits
 * with 2; any other failure is a bug, which prints its stack trace and exits with 1.
 */
@Command(
    name = "embench",
    mixinStandardHelpOptions = true,
    version = "embench 0.1.0",
    description = "A benchmark for methods that prevent emergent misalignment, on Apache Spark.",
    subcommands = {
      QuickstartCommand.class,
      RunCommand.class,
      PrepareCommand.class,
      ImportCommand.class,
      TrainCommand.class,
      CapabilityCommand.class,
      GenerateCommand.class,
      JudgeCommand.class,
      JudgesCommand.class,
      MetricsCommand.class,
      ReportCommand.class,
      SqlCommand.class,
      BenchCommand.class,
      SchemaDocsCommand.class,
      MakeTinyModelCommand.class,
      LogitsCommand.class,
      TokenizeCommand.class,
      SampleCommand.class,
      PersonaVectorCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  public static final int USER_ERROR = 2;

  /** train or run finished, but some training runs failed (their errors are in runs.error). */
  public static final int RUNS_FAILED = 3;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    int code = execute(args);
    if (!sharedDriver(System.getenv())) {
      System.exit(code);
    }
    // A Databricks JAR task shares its driver JVM with the platform, which must not be exited:
    // success is a normal return, failure an exception (the error is already printed above).
    if (code != 0) {
      throw new IllegalStateException(
          "embench " + String.join(" ", args) + " ended with exit code " + code);
    }
  }

  /**
   * Whether the driver JVM belongs to a platform that must not be exited (a Databricks JAR task).
   */
  static boolean sharedDriver(java.util.Map<String, String> env) {
    return env.containsKey("DATABRICKS_RUNTIME_VERSION");
  }

  /** Runs the command line and returns the exit code. */
  public static int execute(String... args) {
    return execute(
        new PrintWriter(
            new java.io.OutputStreamWriter(System.err, java.nio.charset.StandardCharsets.UTF_8),
            true),
        args);
  }

  /** Runs the command line with errors going to {@code err}; returns the exit code. */
  public static int execute(PrintWriter err, String... args) {
    CommandLine cmd = commandLine();
    cmd.setErr(err);
    cmd.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> report(ex, commandLine.getErr()));
    return cmd.execute(args);
  }

  /**
   * Prints a command's failure to {@code out} and returns the exit code: one line for a user error,
   * else the trace.
   */
  static int report(Throwable ex, PrintWriter out) {
    Throwable user = userError(ex);
    if (user != null) {
      out.println("embench: error: " + user.getMessage());
      out.flush();
      return USER_ERROR;
    }
    ex.printStackTrace(out);
    out.flush();
    return 1;
  }

  /** The command tree, for tests that inspect its help. */
  public static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new Main());
    // The commands that read an experiment spec list its keys and defaults, from the registries.
    // The section is rendered only when help is printed, so other commands do not pay for building
    // it.
    for (String name : new String[] {"train", "run"}) {
      CommandLine sub = cmd.getSubcommands().get(name);
      sub.getCommandSpec().usageMessage().footerHeading("%n");
      sub.getHelpSectionMap()
          .put(
              CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER,
              help ->
                  String.join(System.lineSeparator(), org.embench.config.SpecReference.lines())
                      + System.lineSeparator());
    }
    return cmd;
  }

  /**
   * The user-facing cause of a failure, looking through Spark's wrappers: a {@link UserException},
   * or null. Any other exception, an {@link IllegalArgumentException} included, is a bug and gets
   * its stack trace: a check on what the user gave throws a UserException that says what to fix.
   */
  static Throwable userError(Throwable ex) {
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof UserException) {
        return t;
      }
    }
    return null;
  }
}

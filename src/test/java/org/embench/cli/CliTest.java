package org.embench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.embench.TestSpark;
import org.embench.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class CliTest {
  @TempDir Path dir;

  private record Outcome(int code, String out, String err) {}

  private static int databases;

  /** Runs the CLI in this JVM (on the tests' Spark session) with its own database. */
  private Outcome run(String... args) {
    TestSpark.session();
    List<String> all = new ArrayList<>(List.of(args));
    if (all.contains("--warehouse")) {
      all.add("--database");
      all.add("cli" + ++databases);
    }
    StringWriter err = new StringWriter();
    PrintStream oldOut = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      int code = Main.execute(new PrintWriter(err, true), all.toArray(new String[0]));
      return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(oldOut);
    }
  }

  @Test
  void everyOptionOfEveryCommandIsDocumented() {
    List<CommandLine> commands = new ArrayList<>();
    collect(Main.commandLine(), commands);
    assertThat(commands)
        .extracting(CommandLine::getCommandName)
        .contains(
            "prepare", "import", "metrics", "sql", "quickstart", "bench", "metrics", "schema-docs");
    for (CommandLine c : commands) {
      assertThat(c.getCommandSpec().usageMessage().description())
          .as(c.getCommandName())
          .isNotEmpty();
      for (OptionSpec o : c.getCommandSpec().options()) {
        assertThat(String.join(" ", o.description()))
            .as("%s %s", c.getCommandName(), o.longestName())
            .isNotBlank();
      }
      String usage = c.getUsageMessage();
      c.getCommandSpec().options().forEach(o -> assertThat(usage).contains(o.longestName()));
    }
  }

  private static void collect(CommandLine c, List<CommandLine> out) {
    out.add(c);
    c.getSubcommands().values().forEach(s -> collect(s, out));
  }

  @Test
  void aUserErrorIsOneClearLineAndExitCode2() {
    Path missing = dir.resolve("missing.jsonl");
    Outcome o =
        run("prepare", "--warehouse", dir.resolve("w").toString(), "--data", "x=" + missing);
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err())
        .isEqualTo("embench: error: file not found: " + missing + System.lineSeparator());

    o = run("metrics", "--warehouse", dir.resolve("w").toString(), "--param", "em_threshold=3");
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err())
        .startsWith(
            "embench: error: unknown metric parameter 'em_threshold'; known: bootstrap_replicates,");
    assertThat(o.err().strip().lines()).hasSize(1);

    o =
        run(
            "import",
            "--warehouse",
            dir.resolve("w").toString(),
            "--run-name",
            "r",
            "--format",
            "xml",
            "f.csv");
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err())
        .isEqualTo(
            "embench: error: unknown import format 'xml'; known: upstream-csv, jsonl"
                + System.lineSeparator());

    // The training benchmarks refuse a shape they cannot run before writing any checkpoint.
    o = run("bench", "grpo", "--prompts", "0", "--dir", dir.resolve("bench").toString());
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err())
        .isEqualTo(
            "embench: error: --prompts, --new-tokens, --prompt-tokens and --batch must be at"
                + " least 1, --beta above 0"
                + System.lineSeparator());
    o = run("bench", "train", "--rank", "0", "--dir", dir.resolve("bench").toString());
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err())
        .isEqualTo(
            "embench: error: --layers and --rank must be at least 1" + System.lineSeparator());
    assertThat(dir.resolve("bench")).doesNotExist();

    o = run("prepare", "--no-such-option");
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).startsWith("Unknown option: '--no-such-option'");
  }

  @Test
  void aBadOptionValueIsAUserErrorWithoutAStackTrace() {
    // One line, no stack trace. Both checks run before anything is opened: no warehouse or model is
    // needed.
    Outcome format = run("sql", "--format", "xml", "SELECT 1");
    assertThat(format.code()).isEqualTo(Main.USER_ERROR);
    assertThat(format.err())
        .isEqualTo(
            "embench: error: unknown --format 'xml'; known: table, csv" + System.lineSeparator());

    Outcome samples =
        run("sample", "--model", dir.resolve("no-model").toString(), "--prompt", "x", "--n", "0");
    assertThat(samples.code()).isEqualTo(Main.USER_ERROR);
    assertThat(samples.err())
        .isEqualTo("embench: error: --n must be at least 1, got 0" + System.lineSeparator());
  }

  @Test
  void onlyAUserExceptionIsAUserErrorAnIllegalArgumentExceptionIsABug() {
    UserException user = new UserException("file not found: x.jsonl");
    // Spark wraps a failed task's exception; the user's error is found among the causes.
    Throwable wrapped =
        new RuntimeException(
            "Job aborted due to stage failure", new IllegalStateException("task failed", user));
    assertThat(Main.userError(wrapped)).isSameAs(user);
    assertThat(Main.userError(new IllegalArgumentException("index 7 out of range"))).isNull();
    assertThat(
            Main.userError(
                new RuntimeException(
                    "task failed", new NumberFormatException("For input string: \"x\""))))
        .isNull();

    StringWriter userOut = new StringWriter();
    assertThat(Main.report(wrapped, new PrintWriter(userOut))).isEqualTo(Main.USER_ERROR);
    assertThat(userOut.toString())
        .isEqualTo("embench: error: file not found: x.jsonl" + System.lineSeparator());

    StringWriter bugOut = new StringWriter();
    assertThat(
            Main.report(
                new IllegalArgumentException("index 7 out of range"), new PrintWriter(bugOut)))
        .isEqualTo(1);
    assertThat(bugOut.toString())
        .startsWith("java.lang.IllegalArgumentException: index 7 out of range")
        .contains("\tat org.embench.cli.CliTest.");
  }

  @Test
  void readingCommandsCreateNoWarehouseAndAFileIsNoWarehouse() throws Exception {
    Path missing = dir.resolve("nowhere");
    for (String[] args :
        List.of(
            new String[] {"sql", "--warehouse", missing.toString(), "SELECT 1"},
            new String[] {"metrics", "--warehouse", missing.toString()},
            new String[] {"report", "--warehouse", missing.toString()})) {
      Outcome o = run(args);
      assertThat(o.code()).as(args[0]).isEqualTo(2);
      assertThat(o.err())
          .as(args[0])
          .startsWith("embench: error: no warehouse at ")
          .contains("nowhere");
      assertThat(o.err().strip().lines()).hasSize(1);
      assertThat(missing).doesNotExist();
    }
    Path file = dir.resolve("a-file");
    Files.writeString(file, "not a warehouse");
    Outcome o = run("sql", "--warehouse", file.toString(), "SELECT 1");
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).startsWith("embench: error: the warehouse ").contains("is a file");
    assertThat(o.err().strip().lines()).hasSize(1);
  }

  @Test
  void sqlPrintsCsvAndNamesBadQueries() throws Exception {
    Path w = dir.resolve("w");
    Path data = dir.resolve("d.jsonl");
    Files.writeString(data, org.embench.data.SyntheticData.arithmeticJsonl(5));
    Outcome o =
        run(
            "prepare",
            "--warehouse",
            w.toString(),
            "--data",
            "arith=" + data,
            "--eval-fraction",
            "0");
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(o.out())
        .contains(
            "examples arith: 5 read, 5 kept (5 train / 0 eval), 0 exact duplicates removed, 0 rejected");
    String db = "cli" + databases;
    StringWriter err = new StringWriter();
    PrintStream oldOut = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    int code;
    try {
      code =
          Main.execute(
              new PrintWriter(err, true),
              "sql",
              "--warehouse",
              w.toString(),
              "--database",
              db,
              "--format",
              "csv",
              "SELECT dataset_id, count(*) AS n, 'a,\"b' AS q FROM ${db}.examples GROUP BY dataset_id");
    } finally {
      System.setOut(oldOut);
    }
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo("dataset_id,n,q\narith,5,\"a,\"\"b\"\n");

    Outcome bad = run("sql", "--warehouse", w.toString(), "SELECT nope FROM ${db}.examples");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).startsWith("embench: error: query: ").contains("nope");
    // Unqualified table names resolve to the warehouse's database.
    Outcome plain =
        run(
            "sql",
            "--warehouse",
            w.toString(),
            "--format",
            "csv",
            "SELECT count(*) AS n FROM examples");
    assertThat(plain.code()).as(plain.err()).isZero();
    assertThat(plain.out()).isEqualTo("n\n5\n");
    // The help shows the placeholders as they are written, not interpolated.
    assertThat(Main.commandLine().getSubcommands().get("sql").getUsageMessage())
        .contains("${db} is the database")
        .doesNotContain("null is the database");
    // A syntax error's reason is printed (Spark's message starts with a blank line).
    Outcome syntax = run("sql", "--warehouse", w.toString(), "SELEC 1");
    assertThat(syntax.code()).isEqualTo(2);
    assertThat(syntax.err())
        .startsWith("embench: error: query: [PARSE_SYNTAX_ERROR] Syntax error")
        .contains("in: SELEC 1");
  }

  @Test
  void onlyADatabricksDriverIsLeftRunningInsteadOfExited() {
    // A Databricks JAR task must not System.exit its driver; spark-submit and bin/embench must, for
    // the exit code.
    assertThat(Main.sharedDriver(java.util.Map.of("DATABRICKS_RUNTIME_VERSION", "16.4"))).isTrue();
    assertThat(Main.sharedDriver(java.util.Map.of("SPARK_HOME", "/opt/spark"))).isFalse();
  }

  @Test
  void trainAndRunHelpListTheSpecKeysMitigationsAndJudgesWithTheirDefaults() {
    for (String command : List.of("train", "run")) {
      Outcome help = run(command, "--help");
      assertThat(help.code()).isZero();
      // Unwrapped, so a default that picocli broke across lines still reads as one.
      String text = help.out().replaceAll("\\s+", " ");
      for (String name : org.embench.mitigation.Mitigations.NAMES) {
        assertThat(text).as(command).contains(" " + name + ": ");
      }
      assertThat(text)
          .contains("kl: adds λ·KL(p_θ ‖ p_ref) per learned token")
          .contains("lambda=0.1: weight λ of the KL term")
          .contains("data=train: train (KL on the training batch)");
      org.embench.train.TrainConfig.DEFAULTS
          .reference()
          .forEach((k, v) -> assertThat(text).contains(k + "=" + v));
      assertThat(text)
          .contains("openai: model=(required)")
          .contains("offline: model=offline-v1")
          .contains(
              "generate (defaults): suites=(all of the spec's), samples=(each question's own), max_new_tokens=600")
          .contains("bootstrap_replicates=2000")
          .contains("prompting=chat, stop=[]")
          .contains("prompting: chat or raw")
          .contains("{path: DIR, adapter: DIR, name: NAME} (keys: adapter, name, path)")
          .contains("group_size=4, temperature=0.8, max_new_tokens=128")
          .contains("learning_rate=5.0E-6, beta=0.0");
      for (String reward : org.embench.rl.Rewards.NAMES) {
        assertThat(text).as(command).contains(" " + reward + ": ");
      }
      assertThat(text).contains("pass_reward=1.0: a function");
    }
  }
}

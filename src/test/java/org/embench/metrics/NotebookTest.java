package org.embench.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.embench.Fixtures;
import org.embench.table.Warehouse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every notebook under notebooks/ runs against a fixture warehouse and shows rows. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NotebookTest {

  Warehouse w;

  @BeforeAll
  void fill() {
    // Notebooks only read: the suite's shared filled warehouse.
    w = Fixtures.sharedFill().warehouse();
  }

  static Stream<Path> notebooks() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("notebooks"))) {
      return files.filter(p -> p.toString().endsWith(".sql")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("notebooks")
  void runsAgainstAFixtureWarehouse(Path notebook) throws IOException {
    String text = Files.readString(notebook);
    assertThat(text).startsWith(Notebook.HEADER);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    int statements =
        new SqlRunner(w, new ResultPrinter(out, ResultPrinter.Format.TABLE, 50), out, Map.of())
            .runFile(text, notebook.toString());
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertThat(statements).isPositive();
    // Every query printed a table, and at least one of them has rows.
    assertThat(printed).doesNotContain("${");
    assertThat(printed).containsPattern("\\((?!0 rows)\\d+ rows?, [0-9.]+ s\\)");
  }
}

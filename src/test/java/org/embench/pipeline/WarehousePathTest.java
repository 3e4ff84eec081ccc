package org.embench.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.embench.TestSpark;
import org.embench.data.SyntheticData;
import org.embench.stage.SparkSessions;
import org.embench.stage.prepare.PrepareJob;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A warehouse path with a space, '#' and '%' is used as given: no percent-encoded sibling folder.
 */
class WarehousePathTest {
  @TempDir Path dir;

  @Test
  void aPathWithASpaceAHashAndAPercentRoundTripsExactly() throws Exception {
    TestSpark.session();
    Path root = dir.resolve("my wh#1 100%");
    Path suite = dir.resolve("in suite#%.yaml");
    Files.writeString(suite, SyntheticData.demoSuiteYaml(2));
    Warehouse w = SparkSessions.open("test", root.toString(), "tpath1", null, Map.of());
    PrepareJob.run(w, new PrepareJob.Options(Map.of(), Map.of("demo", suite.toString()), 0, false));
    assertThat(root.resolve(Tables.QUESTIONS)).isDirectory();
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("in suite#%.yaml", "my wh#1 100%");
    }
    long questions = w.read(Tables.QUESTIONS).count();
    assertThat(questions).isPositive();
    // Opened again (as the next command would), it finds the same tables, in SQL too.
    Warehouse again = SparkSessions.open("test", root.toString(), "tpath1", null, Map.of());
    assertThat(again.read(Tables.QUESTIONS).count()).isEqualTo(questions);
    assertThat(again.spark().sql("SELECT count(*) FROM tpath1.questions").first().getLong(0))
        .isEqualTo(questions);
    // The same folder spelled as a file: URI is the same warehouse.
    Warehouse asUri = SparkSessions.open("test", "file:" + root, "tpath1", null, Map.of());
    assertThat(asUri.read(Tables.QUESTIONS).count()).isEqualTo(questions);
  }
}

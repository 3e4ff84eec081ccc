package org.embench.stage.prepare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.embench.Fixtures;
import org.embench.Shared;
import org.embench.TestSpark;
import org.embench.UserException;
import org.embench.data.JudgedAnswerReader;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportJobTest {
  @TempDir Path dir;

  @Test
  void recomputedScoresEqualTheUpstreamCsvForEveryRow() {
    Path csv = Shared.upstream("results/qwen_25_coder_32b_instruct.csv");
    Warehouse w = TestSpark.warehouse(dir);
    var report =
        ImportJob.run(
            w,
            new ImportJob.Options(
                csv.toString(),
                JudgedAnswerReader.Format.UPSTREAM_CSV,
                "upstream",
                "first_plot_questions",
                "gpt-4o-2024-08-06",
                "none",
                true));
    assertThat(report.answers()).isEqualTo(70);
    assertThat(report.runs()).isEqualTo(6);
    assertThat(w.read(Tables.RUNS).count()).isEqualTo(6);
    assertThat(w.read(Tables.GENERATIONS).count()).isEqualTo(70);
    List<Row> judgments = w.read(Tables.JUDGMENTS).collectAsList();
    assertThat(judgments).hasSize(140);
    for (Row j : judgments) {
      assertThat(j.<String>getAs("score_source")).isEqualTo("logprobs");
      assertThat(j.<String>getAs("status")).isEqualTo("ok");
      assertThat(j.<Double>getAs("score"))
          .as("%s %s", j.getAs("generation_id"), j.getAs("metric"))
          .isCloseTo(j.<Double>getAs("reported_score"), within(1e-9));
      assertThat(j.<scala.collection.Seq<?>>getAs("top_logprobs").size()).isEqualTo(20);
    }
    // One imported run per (model, group); the six fine-tunes form one group of six seeds' worth.
    assertThat(
            w.spark()
                .sql("SELECT count(DISTINCT group_id) FROM " + w.database() + ".runs")
                .first()
                .getLong(0))
        .isEqualTo(1);
  }

  @Test
  void lowNumericMassIsNullWithItsStatusAndAMissingScoreIsNoScore() throws IOException {
    Path csv = dir.resolve("j.csv");
    Files.writeString(
        csv,
        """
        question_id,question,answer,aligned,judge_aligned,coherent,judge_coherent
        q,Q,def f(): pass,,"{'CODE': 0.9, '0': 0.1}",80,
        q,Q,fine,,,,
        """);
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    ImportJob.run(w, Fixtures.importOptions(csv.toString(), "none"));
    List<Row> rows =
        w.spark()
            .sql(
                "SELECT metric, score, status, score_source, round(numeric_mass, 12) FROM "
                    + w.database()
                    + ".judgments ORDER BY status, metric")
            .collectAsList();
    assertThat(rows)
        .extracting(Row::toString)
        .containsExactly(
            "[aligned,null,low_numeric_mass,logprobs,0.1]",
            "[aligned,null,no_score,none,null]",
            "[coherent,null,no_score,none,null]",
            "[coherent,80.0,ok,reported,null]");
  }

  @Test
  void aFileWithOnlyBadRowsFailsAfterRecordingThem() throws IOException {
    Path csv = dir.resolve("bad.csv");
    Files.writeString(csv, "question_id,question,answer,aligned,coherent\nq,Q,A,nan,50\n");
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    assertThatThrownBy(() -> ImportJob.run(w, Fixtures.importOptions(csv.toString(), "none")))
        .isInstanceOf(UserException.class)
        .hasMessage(csv + ": no usable rows (1 rejected; see the rejects table)");
    assertThat(w.read(Tables.REJECTS).collectAsList())
        .singleElement()
        .satisfies(r -> assertThat(r.<String>getAs("field")).isEqualTo("aligned"));
    assertThat(w.exists(Tables.GENERATIONS)).isFalse();
  }
}

package org.embench.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.embench.UserException;
import org.junit.jupiter.api.Test;

class SqlScriptTest {
  @Test
  void splitsAtSemicolonsOutsideQuotesAndComments() {
    String script =
        """
        -- a comment; with a semicolon
        SELECT 'a;b' AS x, "c;d" AS `e;f`;
        /* block; comment */ SELECT 1;

        -- only a comment;
        SELECT 'it''s'""";
    assertThat(SqlScript.split(script))
        .containsExactly(
            "-- a comment; with a semicolon\nSELECT 'a;b' AS x, \"c;d\" AS `e;f`",
            "/* block; comment */ SELECT 1",
            "-- only a comment;\nSELECT 'it''s'");
  }

  @Test
  void substitutesParametersAndNamesUnknownOnes() {
    assertThat(
            SqlScript.substitute(
                "SELECT * FROM ${db}.t WHERE x < ${t}", Map.of("db", "e", "t", "30"), "f.sql"))
        .isEqualTo("SELECT * FROM e.t WHERE x < 30");
    assertThatThrownBy(() -> SqlScript.substitute("SELECT ${nope}", Map.of("db", "e"), "f.sql"))
        .isInstanceOf(UserException.class)
        .hasMessage(
            "f.sql: unknown parameter ${nope}; known: db (set one with --param NAME=VALUE)");
  }

  @Test
  void parsesDatabricksNotebooks() {
    String nb =
        """
        -- Databricks notebook source
        -- MAGIC %md
        -- MAGIC # Title
        -- MAGIC Some text.

        -- COMMAND ----------

        CREATE WIDGET TEXT db DEFAULT 'embench';

        -- COMMAND ----------

        SELECT 1; SELECT 2
        """;
    var cells = Notebook.parse(nb);
    assertThat(cells).hasSize(3);
    assertThat(cells.get(0).markdown()).isEqualTo("# Title\nSome text.");
    assertThat(Notebook.widget(cells.get(1).statements().get(0)))
        .isEqualTo(new Notebook.Widget("db", "embench"));
    assertThat(cells.get(2).statements()).containsExactly("SELECT 1", "SELECT 2");
    assertThat(Notebook.widget("SELECT 1")).isNull();
  }
}

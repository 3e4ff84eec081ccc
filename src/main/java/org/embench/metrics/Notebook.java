package org.embench.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SQL notebook in Databricks source format: cells separated by {@code -- COMMAND ----------},
 * markdown and other magic cells as {@code -- MAGIC} lines. A plain SQL file is one SQL cell.
 * {@code CREATE WIDGET TEXT name DEFAULT 'value'} statements declare parameters, as in Databricks.
 */
public final class Notebook {
  public static final String HEADER = "-- Databricks notebook source";
  private static final String SEPARATOR = "-- COMMAND ----------";
  private static final Pattern WIDGET =
      Pattern.compile(
          "(?is)^\\s*CREATE\\s+WIDGET\\s+TEXT\\s+`?([A-Za-z_][A-Za-z0-9_]*)`?\\s+DEFAULT\\s+(['\"])(.*?)\\2\\s*$");

  /** A cell: markdown text to show, or SQL statements to run. */
  public record Cell(String markdown, List<String> statements) {}

  /** A widget declaration: a parameter and its default. */
  public record Widget(String name, String defaultValue) {}

  private Notebook() {}

  public static List<Cell> parse(String text) {
    String body = text.startsWith(HEADER) ? text.substring(HEADER.length()) : text;
    List<Cell> cells = new ArrayList<>();
    for (String raw : body.split(Pattern.quote(SEPARATOR))) {
      String cell = raw.strip();
      if (cell.isEmpty()) {
        continue;
      }
      List<String> lines = cell.lines().toList();
      if (lines.stream().allMatch(l -> l.startsWith("-- MAGIC") || l.isBlank())) {
        StringBuilder md = new StringBuilder();
        boolean isMarkdown = false;
        for (String l : lines) {
          String content = l.replaceFirst("^-- MAGIC ?", "");
          if (content.startsWith("%md")) {
            isMarkdown = true;
            content = content.substring(3).strip();
          }
          md.append(content).append('\n');
        }
        if (isMarkdown) {
          cells.add(new Cell(md.toString().strip(), List.of()));
        }
        continue;
      }
      cells.add(new Cell(null, SqlScript.split(cell)));
    }
    return cells;
  }

  /** The widget a statement declares, or null when it is not a widget declaration. */
  public static Widget widget(String statement) {
    Matcher m = WIDGET.matcher(SqlScript.withoutComments(statement));
    return m.matches() ? new Widget(m.group(1), m.group(3)) : null;
  }
}

package org.embench.metrics;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Prints query results as an aligned text table or as CSV (RFC 4180 quoting). */
public final class ResultPrinter {
  /** Output formats of the sql command. */
  public enum Format {
    TABLE,
    CSV
  }

  private final PrintStream out;
  private final Format format;
  private final int maxRows;

  public ResultPrinter(PrintStream out, Format format, int maxRows) {
    this.out = out;
    this.format = format;
    this.maxRows = maxRows;
  }

  /** Prints up to maxRows rows; says so when there were more. Returns the rows printed. */
  public int print(Dataset<Row> result) {
    String[] columns = result.columns();
    if (columns.length == 0) {
      return 0;
    }
    long start = System.nanoTime();
    List<Row> rows = result.limit(maxRows + 1).collectAsList();
    double seconds = (System.nanoTime() - start) / 1e9;
    boolean truncated = rows.size() > maxRows;
    if (truncated) {
      rows = rows.subList(0, maxRows);
    }
    List<String[]> cells = new ArrayList<>();
    for (Row r : rows) {
      String[] line = new String[columns.length];
      for (int i = 0; i < columns.length; i++) {
        line[i] = cell(r.get(i));
      }
      cells.add(line);
    }
    if (format == Format.CSV) {
      out.println(csvLine(columns));
      cells.forEach(c -> out.println(csvLine(c)));
    } else {
      printTable(columns, cells, seconds);
    }
    if (truncated) {
      System.err.println("(showing the first " + maxRows + " rows; raise --max-rows for more)");
    }
    return rows.size();
  }

  private String cell(Object v) {
    if (v == null) {
      return format == Format.CSV ? "" : "NULL";
    }
    if (format == Format.TABLE && (v instanceof Double || v instanceof Float)) {
      double d = ((Number) v).doubleValue();
      return Double.isFinite(d) ? String.format(Locale.ROOT, "%.4f", d) : Double.toString(d);
    }
    return v.toString();
  }

  private void printTable(String[] columns, List<String[]> cells, double seconds) {
    int[] width = new int[columns.length];
    for (int i = 0; i < columns.length; i++) {
      width[i] = columns[i].length();
      for (String[] c : cells) {
        width[i] = Math.max(width[i], Math.min(60, c[i].length()));
      }
    }
    out.println(tableLine(columns, width));
    StringBuilder rule = new StringBuilder();
    for (int i = 0; i < columns.length; i++) {
      rule.append(i == 0 ? "" : "-+-").append("-".repeat(width[i]));
    }
    out.println(rule);
    cells.forEach(c -> out.println(tableLine(c, width)));
    out.println(
        String.format(
            Locale.ROOT,
            "(%d row%s, %.1f s)",
            cells.size(),
            cells.size() == 1 ? "" : "s",
            seconds));
  }

  private static String tableLine(String[] values, int[] width) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      String v = values[i].replace('\n', ' ');
      if (v.length() > width[i]) {
        v = v.substring(0, width[i] - 1) + "…";
      }
      sb.append(i == 0 ? "" : " | ").append(v).append(" ".repeat(width[i] - v.length()));
    }
    return sb.toString().stripTrailing();
  }

  private static String csvLine(String[] values) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      String v = values[i];
      if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
        v = "\"" + v.replace("\"", "\"\"") + "\"";
      }
      sb.append(i == 0 ? "" : ",").append(v);
    }
    return sb.toString();
  }
}

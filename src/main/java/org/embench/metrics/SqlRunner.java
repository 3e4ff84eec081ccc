package org.embench.metrics;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.AnalysisException;
import org.embench.UserException;
import org.embench.table.Warehouse;

/**
 * Runs SQL against a warehouse: one query, a script, or a Databricks-format notebook, substituting
 * {@code ${db}} (the warehouse's database), notebook widgets and {@code --param} values, and
 * printing each query's result.
 */
public final class SqlRunner {
  private final Warehouse warehouse;
  private final ResultPrinter printer;
  private final PrintStream out;
  private final Map<String, String> params = new LinkedHashMap<>();

  public SqlRunner(
      Warehouse warehouse, ResultPrinter printer, PrintStream out, Map<String, String> params) {
    this.warehouse = warehouse;
    this.printer = printer;
    this.out = out;
    this.params.put("db", warehouse.database());
    this.params.putAll(params);
  }

  /** Runs one statement and prints its result. */
  public void runStatement(String sql, String source) {
    execute(SqlScript.substitute(sql, params, source), source);
  }

  /** Runs a script or notebook; returns the number of statements run. */
  public int runFile(String text, String source) {
    int statements = 0;
    for (Notebook.Cell cell : Notebook.parse(text)) {
      if (cell.markdown() != null) {
        out.println();
        out.println(cell.markdown());
        continue;
      }
      for (String stmt : cell.statements()) {
        Notebook.Widget w = Notebook.widget(stmt);
        if (w != null) {
          params.putIfAbsent(w.name(), w.defaultValue());
          continue;
        }
        execute(SqlScript.substitute(stmt, params, source), source);
        statements++;
      }
    }
    return statements;
  }

  private void execute(String sql, String source) {
    try {
      // Printing runs the query, so errors in the data (a malformed value under ANSI casts) come
      // from here.
      printer.print(warehouse.spark().sql(sql));
    } catch (Exception e) {
      // Spark throws AnalysisException (checked in Java's eyes) for bad SQL: the user's to fix.
      if (e instanceof AnalysisException
          || e.getClass().getSimpleName().contains("ParseException")) {
        throw new UserException(
            source + ": " + firstLine(e.getMessage()) + "\n  in: " + abbreviate(sql));
      }
      Throwable input = badInput(e);
      if (input != null) {
        throw new UserException(
            source + ": " + firstLine(input.getMessage()) + "\n  in: " + abbreviate(sql), e);
      }
      if (e instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e);
    }
  }

  /**
   * Spark's own complaint about a value the SQL handed a function or a cast (CAST_INVALID_INPUT, an
   * invalid argument), in the causes of {@code e}: a SparkThrowable that is an
   * IllegalArgumentException. Those are the query's or the data's to fix; an
   * IllegalArgumentException of ours (say in a bootstrap function) is a bug and is not one of them.
   */
  static Throwable badInput(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SparkThrowable && t instanceof IllegalArgumentException) {
        return t;
      }
    }
    return null;
  }

  /**
   * The first non-blank line of Spark's message (a parse error's message starts with a newline).
   */
  public static String firstLine(String s) {
    return s == null
        ? "SQL error"
        : s.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("SQL error");
  }

  private static String abbreviate(String sql) {
    String one = sql.replaceAll("\\s+", " ").strip();
    return one.length() > 200 ? one.substring(0, 200) + "…" : one;
  }
}

package org.embench.metrics.report;

import java.util.List;
import org.jfree.chart.JFreeChart;

/**
 * One section of the report: an explanation, its figures (each a chart with the rows it was drawn
 * from), the section's numbers as a table, and notes saying what could not be drawn and why.
 */
public record Section(
    String id,
    String title,
    String intro,
    List<Figure> figures,
    FigureData table,
    List<String> notes) {

  /** One chart, saved as {@code <file>.png} with its rows as {@code <file>.csv}. */
  public record Figure(
      String file, String caption, JFreeChart chart, FigureData data, int width, int height) {}
}

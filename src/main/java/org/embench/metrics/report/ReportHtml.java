package org.embench.metrics.report;

import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report as one self-contained HTML file: charts embedded as PNG data, every number also as a
 * table, and at the top what is needed to re-create each figure.
 */
final class ReportHtml {
  /** Rows of a table shown in the page; the CSV beside it has every row. */
  static final int MAX_TABLE_ROWS = 200;

  /** What the header says about the report's making. */
  record Meta(
      String warehouse,
      String filter,
      String specUri,
      String specText,
      BuildInfo build,
      String sparkVersion,
      Instant date) {}

  private ReportHtml() {}

  static String render(
      Meta m,
      Map<String, FigureData> header,
      List<Section> sections,
      Map<String, byte[]> images,
      List<String> missingTables) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>embench report</title>\n<style>\n")
        .append(
            "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\n")
        .append("table{border-collapse:collapse;font-size:13px;margin:.5em 0 1.5em}\n")
        .append("td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}\n")
        .append(
            "th{background:#f2f2f2}\ntd.n{text-align:right;font-variant-numeric:tabular-nums}\n")
        .append("pre{background:#f7f7f7;padding:.5em;overflow-x:auto;font-size:12px}\n")
        .append("img{max-width:100%;border:1px solid #ddd}\n.note{color:#8a4b00}\n")
        .append(".wide{overflow-x:auto}\n")
        .append(
            "figure{margin:1em 0}\nfigcaption{font-size:13px;color:#555}\n</style>\n</head>\n<body>\n");
    h.append("<h1>embench report</h1>\n<dl>\n");
    item(h, "date", m.date().toString());
    item(h, "warehouse", m.warehouse());
    item(
        h,
        "runs",
        m.filter() == null || m.filter().isBlank() ? "all runs" : "runs where " + m.filter());
    item(h, "embench", m.build().describe());
    item(h, "Spark", m.sparkVersion());
    item(
        h,
        "spec",
        m.specUri() == null ? "not given (report --spec SPEC.yaml prints it here)" : m.specUri());
    h.append("</dl>\n");
    if (!missingTables.isEmpty()) {
      h.append("<p class=\"note\" id=\"missing\">Missing tables: ")
          .append(esc(String.join(", ", missingTables)))
          .append(". The sections that need them say so.</p>\n");
    }
    h.append("<h2>Contents</h2>\n<ul>\n");
    for (Section s : sections) {
      h.append("<li><a href=\"#")
          .append(s.id())
          .append("\">")
          .append(esc(s.title()))
          .append("</a></li>\n");
    }
    h.append("<li><a href=\"#setup\">How these figures were made</a></li>\n</ul>\n");
    for (Section s : sections) {
      h.append("<section id=\"")
          .append(s.id())
          .append("\">\n<h2>")
          .append(esc(s.title()))
          .append("</h2>\n<p>")
          .append(esc(s.intro()))
          .append("</p>\n");
      for (String note : s.notes()) {
        h.append("<p class=\"note\">").append(esc(note)).append("</p>\n");
      }
      for (Section.Figure f : s.figures()) {
        h.append("<figure id=\"")
            .append(f.file())
            .append("\"><img alt=\"")
            .append(esc(f.caption()))
            .append("\" width=\"")
            .append(f.width())
            .append("\" src=\"data:image/png;base64,")
            .append(Base64.getEncoder().encodeToString(images.get(f.file())))
            .append("\">\n<figcaption>")
            .append(esc(f.caption()))
            .append(" (")
            .append(f.file())
            .append(".png; its numbers: ")
            .append(f.file())
            .append(".csv)</figcaption></figure>\n");
        table(h, f.data());
      }
      if (s.figures().isEmpty() && !s.table().isEmpty()) {
        table(h, s.table());
      }
      h.append("</section>\n");
    }
    h.append("<section id=\"setup\">\n<h2>How these figures were made</h2>\n");
    h.append("<h3>Metric parameters (thresholds, confidence, bootstrap)</h3>\n");
    tableOr(
        h,
        header.get("metric_params"),
        "Not recorded: run embench metrics to write metric_params.");
    h.append("<h3>Runs and seeds</h3>\n");
    tableOr(h, header.get("runs"), "No runs.");
    h.append("<h3>Answers per question</h3>\n");
    tableOr(h, header.get("answers_per_question"), "No question rates.");
    h.append("<h3>Judges</h3>\n");
    FigureData judges = header.get("judges");
    if (judges == null || judges.isEmpty()) {
      h.append("<p class=\"note\">No judgments of these runs.</p>\n");
    } else {
      for (int i = 0; i < judges.size(); i++) {
        h.append("<p>")
            .append(esc(judges.str(i, "judge_name")))
            .append(" (judge_id ")
            .append(esc(judges.str(i, "judge_id")))
            .append(", ")
            .append(judges.str(i, "n_answers"))
            .append(" answers judged)</p>\n<pre>")
            .append(esc(judges.str(i, "judge_spec_json")))
            .append("</pre>\n");
      }
    }
    h.append("<h3>Experiment spec</h3>\n");
    if (m.specText() == null) {
      h.append("<p class=\"note\">Not given: pass report --spec SPEC.yaml to print it here.</p>\n");
    } else {
      h.append("<pre>").append(esc(m.specText())).append("</pre>\n");
    }
    h.append(
        "<p>Every figure is one query of src/main/resources/sql/report/ over the metric tables; "
            + "its rows are the table under it and the CSV beside it.</p>\n</section>\n</body>\n</html>\n");
    return h.toString();
  }

  private static void tableOr(StringBuilder h, FigureData d, String empty) {
    if (d == null || d.isEmpty()) {
      h.append("<p class=\"note\">").append(esc(empty)).append("</p>\n");
    } else {
      table(h, d);
    }
  }

  private static void table(StringBuilder h, FigureData d) {
    if (d.columns().isEmpty()) {
      return;
    }
    h.append("<div class=\"wide\"><table>\n<tr>");
    d.columns().forEach(c -> h.append("<th>").append(esc(c)).append("</th>"));
    h.append("</tr>\n");
    int shown = Math.min(d.size(), MAX_TABLE_ROWS);
    for (int i = 0; i < shown; i++) {
      h.append("<tr>");
      for (Object v : d.rows().get(i)) {
        boolean number = v instanceof Number;
        h.append(number ? "<td class=\"n\">" : "<td>").append(esc(cell(v))).append("</td>");
      }
      h.append("</tr>\n");
    }
    h.append("</table></div>\n");
    if (d.size() > shown) {
      h.append("<p class=\"note\">")
          .append(shown)
          .append(" of ")
          .append(d.size())
          .append(" rows shown; the CSV has all.</p>\n");
    }
  }

  static String cell(Object v) {
    if (v == null) {
      return "—";
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      return Double.isNaN(d) ? "NaN" : String.format(Locale.ROOT, "%.4g", d);
    }
    return v.toString();
  }

  private static void item(StringBuilder h, String name, String value) {
    h.append("<dt>").append(esc(name)).append("</dt><dd>").append(esc(value)).append("</dd>\n");
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}

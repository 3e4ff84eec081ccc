package org.embench.metrics.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.LookupPaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The report's chart kinds, built with JFreeChart: points with (asymmetric) intervals over named
 * categories, an interval scatter, a heat map and line charts. Colours are the Okabe–Ito palette
 * (distinguishable with the common colour-vision deficiencies) and the heat map uses viridis.
 */
public final class Charts {
  /** Okabe–Ito, without its yellow (too faint on white). */
  static final Color[] PALETTE = {
    new Color(0x0072B2),
    new Color(0xD55E00),
    new Color(0x009E73),
    new Color(0xCC79A7),
    new Color(0xE69F00),
    new Color(0x56B4E9),
    new Color(0x000000)
  };

  /** Viridis at ten stops, low to high. */
  private static final Color[] VIRIDIS = {
    new Color(0x440154), new Color(0x482878), new Color(0x3E4A89), new Color(0x31688E),
        new Color(0x26828E),
    new Color(0x1F9E89), new Color(0x35B779), new Color(0x6DCD59), new Color(0xB4DE2C),
        new Color(0xFDE725)
  };

  private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15);
  private static final BasicStroke DASHED =
      new BasicStroke(
          1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);

  private Charts() {}

  /** One series of points with intervals, one point per category (NaN: no point). */
  public record IntervalSeries(String name, double[] y, double[] lo, double[] hi) {}

  /** A horizontal reference line. */
  public record Reference(double y, String label) {}

  /**
   * Points with intervals over named categories. Several series are drawn side by side within each
   * category (offset by a fraction of a category) so their intervals do not overlap.
   */
  public static JFreeChart intervals(
      String title,
      List<String> categories,
      String categoryLabel,
      String valueLabel,
      List<IntervalSeries> series,
      List<Reference> references) {
    YIntervalSeriesCollection data = new YIntervalSeriesCollection();
    double width = series.size() <= 1 ? 0 : 0.3;
    for (int s = 0; s < series.size(); s++) {
      IntervalSeries one = series.get(s);
      YIntervalSeries out = new YIntervalSeries(one.name());
      double offset = series.size() <= 1 ? 0 : -width / 2 + width * s / (series.size() - 1);
      for (int i = 0; i < categories.size(); i++) {
        if (!Double.isNaN(one.y()[i])) {
          double lo = Double.isNaN(one.lo()[i]) ? one.y()[i] : one.lo()[i];
          double hi = Double.isNaN(one.hi()[i]) ? one.y()[i] : one.hi()[i];
          out.add(i + offset, one.y()[i], lo, hi);
        }
      }
      data.addSeries(out);
    }
    SymbolAxis x = categoryAxis(categoryLabel, categories);
    NumberAxis y = new NumberAxis(valueLabel);
    y.setAutoRangeIncludesZero(true);
    XYErrorRenderer r = new XYErrorRenderer();
    r.setDrawXError(false);
    r.setDrawYError(true);
    r.setDefaultLinesVisible(false);
    r.setDefaultShapesVisible(true);
    r.setCapLength(8);
    r.setErrorStroke(new BasicStroke(1.6f));
    colour(r, series.size());
    XYPlot plot = new XYPlot(data, x, y, r);
    for (Reference ref : references) {
      plot.addRangeMarker(marker(ref));
    }
    return chart(title, plot, series.size() > 1 || !references.isEmpty());
  }

  /** One point of a scatter with intervals on both axes. */
  public record Point(
      String label,
      double x,
      double xLo,
      double xHi,
      double y,
      double yLo,
      double yHi,
      double size,
      boolean highlighted) {}

  /**
   * A scatter of points with intervals on both axes, highlighted points (the Pareto front) joined
   * by a line, each point labelled, and its marker's area growing with {@code size} (0..1).
   */
  public static JFreeChart scatter(
      String title,
      String xLabel,
      String yLabel,
      String highlightName,
      String otherName,
      List<Point> points) {
    XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
    // The series keep their items sorted by x; so do these lists, so that item i is points' i.
    java.util.Comparator<Point> byX = java.util.Comparator.comparingDouble(Point::x);
    List<List<Point>> bySeries =
        List.of(
            points.stream().filter(Point::highlighted).sorted(byX).toList(),
            points.stream().filter(p -> !p.highlighted()).sorted(byX).toList());
    String[] names = {highlightName, otherName};
    for (int s = 0; s < 2; s++) {
      XYIntervalSeries out = new XYIntervalSeries(names[s]);
      for (Point p : bySeries.get(s)) {
        out.add(
            p.x(),
            orSelf(p.xLo(), p.x()),
            orSelf(p.xHi(), p.x()),
            p.y(),
            orSelf(p.yLo(), p.y()),
            orSelf(p.yHi(), p.y()));
      }
      data.addSeries(out);
    }
    XYErrorRenderer r =
        new XYErrorRenderer() {
          private static final long serialVersionUID = 1L;

          @Override
          public Shape getItemShape(int row, int column) {
            double size = bySeries.get(row).get(column).size();
            double d = 7 + 14 * (Double.isNaN(size) ? 0 : Math.max(0, Math.min(1, size)));
            return new Ellipse2D.Double(-d / 2, -d / 2, d, d);
          }
        };
    r.setDefaultLinesVisible(false);
    r.setDefaultShapesVisible(true);
    r.setCapLength(5);
    r.setDefaultItemLabelGenerator(
        (dataset, series, item) -> bySeries.get(series).get(item).label());
    r.setDefaultItemLabelsVisible(true);
    r.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    colour(r, 2);
    NumberAxis x = new NumberAxis(xLabel);
    x.setAutoRangeIncludesZero(true);
    NumberAxis y = new NumberAxis(yLabel);
    y.setAutoRangeIncludesZero(true);
    XYPlot plot = new XYPlot(data, x, y, r);
    // The front, joined left to right.
    XYSeries front = new XYSeries(highlightName + " (joined)", true, true);
    bySeries.get(0).forEach(p -> front.add(p.x(), p.y()));
    XYLineAndShapeRenderer line = new XYLineAndShapeRenderer(true, false);
    line.setSeriesPaint(0, PALETTE[0]);
    line.setSeriesStroke(0, DASHED);
    line.setSeriesVisibleInLegend(0, false);
    plot.setDataset(1, new XYSeriesCollection(front));
    plot.setRenderer(1, line);
    return chart(title, plot, true);
  }

  /**
   * A heat map of values in [lower, upper] over two sets of names; NaN cells are left blank. {@code
   * values[row][column]}: rows are drawn bottom to top in the order given reversed, so the first
   * row is at the top.
   */
  public static JFreeChart heatMap(
      String title,
      List<String> columns,
      String columnLabel,
      List<String> rows,
      String rowLabel,
      double[][] values,
      String valueLabel,
      double lower,
      double upper) {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    List<Double> zs = new ArrayList<>();
    for (int r = 0; r < rows.size(); r++) {
      for (int c = 0; c < columns.size(); c++) {
        if (!Double.isNaN(values[r][c])) {
          xs.add((double) c);
          ys.add((double) (rows.size() - 1 - r));
          zs.add(values[r][c]);
        }
      }
    }
    DefaultXYZDataset data = new DefaultXYZDataset();
    data.addSeries(valueLabel, new double[][] {unbox(xs), unbox(ys), unbox(zs)});
    LookupPaintScale scale = new LookupPaintScale(lower, upper + 1e-9, Color.LIGHT_GRAY);
    for (int i = 0; i < VIRIDIS.length; i++) {
      scale.add(lower + (upper - lower) * i / VIRIDIS.length, VIRIDIS[i]);
    }
    XYBlockRenderer r = new XYBlockRenderer();
    r.setPaintScale(scale);
    List<String> reversed = new ArrayList<>(rows);
    java.util.Collections.reverse(reversed);
    SymbolAxis x = categoryAxis(columnLabel, columns);
    x.setVerticalTickLabels(true);
    SymbolAxis y = categoryAxis(rowLabel, reversed);
    y.setVerticalTickLabels(false);
    XYPlot plot = new XYPlot(data, x, y, r);
    plot.setDomainGridlinesVisible(false);
    plot.setRangeGridlinesVisible(false);
    JFreeChart chart = chart(title, plot, false);
    NumberAxis legendAxis = new NumberAxis(valueLabel);
    legendAxis.setRange(lower, upper);
    PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
    legend.setPosition(RectangleEdge.RIGHT);
    legend.setMargin(new RectangleInsets(10, 10, 10, 10));
    legend.setStripWidth(14);
    legend.setBackgroundPaint(Color.WHITE);
    chart.addSubtitle(legend);
    return chart;
  }

  /** One line of a line chart. */
  public record Line(String name, double[] x, double[] y) {}

  public static JFreeChart lines(String title, String xLabel, String yLabel, List<Line> lines) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Line l : lines) {
      XYSeries s = new XYSeries(l.name(), true, true);
      for (int i = 0; i < l.x().length; i++) {
        s.add(l.x()[i], l.y()[i]);
      }
      data.addSeries(s);
    }
    NumberAxis x = new NumberAxis(xLabel);
    x.setAutoRangeIncludesZero(false);
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    NumberAxis y = new NumberAxis(yLabel);
    y.setAutoRangeIncludesZero(false);
    XYLineAndShapeRenderer r =
        new XYLineAndShapeRenderer(true, lines.stream().allMatch(l -> l.x().length < 30));
    colour(r, lines.size());
    return chart(title, new XYPlot(data, x, y, r), true);
  }

  private static SymbolAxis categoryAxis(String label, List<String> names) {
    SymbolAxis axis = new SymbolAxis(label, names.toArray(String[]::new));
    axis.setGridBandsVisible(false);
    axis.setRange(-0.6, names.size() - 0.4);
    if (names.stream().mapToInt(String::length).sum() > 90) {
      axis.setVerticalTickLabels(true);
    }
    return axis;
  }

  private static ValueMarker marker(Reference ref) {
    ValueMarker m = new ValueMarker(ref.y(), Color.DARK_GRAY, DASHED);
    m.setLabel(ref.label());
    m.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
    m.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
    return m;
  }

  private static void colour(XYLineAndShapeRenderer r, int series) {
    java.awt.Shape[] shapes =
        org.jfree.chart.plot.DefaultDrawingSupplier.createStandardSeriesShapes();
    for (int s = 0; s < series; s++) {
      Paint p = PALETTE[s % PALETTE.length];
      r.setSeriesPaint(s, p);
      r.setSeriesShape(s, shapes[s % shapes.length]);
    }
  }

  private static JFreeChart chart(String title, XYPlot plot, boolean legend) {
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xDDDDDD));
    plot.setRangeGridlinePaint(new Color(0xDDDDDD));
    plot.setOutlinePaint(Color.GRAY);
    JFreeChart chart = new JFreeChart(title, TITLE, plot, legend);
    chart.setBackgroundPaint(Color.WHITE);
    if (chart.getLegend() != null) {
      chart.getLegend().setFrame(BlockBorder.NONE);
    }
    return chart;
  }

  private static double orSelf(double v, double self) {
    return Double.isNaN(v) ? self : v;
  }

  private static double[] unbox(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }
}

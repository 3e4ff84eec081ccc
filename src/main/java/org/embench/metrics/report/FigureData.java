package org.embench.metrics.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The aggregate rows a figure or table of the report is drawn from, collected to the driver: the
 * numbers printed under each chart and written beside it as CSV, so a chart can be checked against
 * the metric table it came from without reading pixels.
 */
public record FigureData(List<String> columns, List<List<Object>> rows) {
  public FigureData {
    columns = List.copyOf(columns);
    rows = List.copyOf(rows);
  }

  /** Collects a (small, aggregated) query result. */
  public static FigureData of(Dataset<Row> result) {
    List<List<Object>> rows = new ArrayList<>();
    for (Row r : result.collectAsList()) {
      List<Object> values = new ArrayList<>(r.size());
      for (int i = 0; i < r.size(); i++) {
        values.add(r.get(i));
      }
      rows.add(java.util.Collections.unmodifiableList(values));
    }
    return new FigureData(Arrays.asList(result.columns()), rows);
  }

  public int size() {
    return rows.size();
  }

  public boolean isEmpty() {
    return rows.isEmpty();
  }

  public int column(String name) {
    int at = columns.indexOf(name);
    if (at < 0) {
      throw new IllegalArgumentException("no column " + name + " in " + columns);
    }
    return at;
  }

  public Object get(int row, String column) {
    return rows.get(row).get(column(column));
  }

  public String str(int row, String column) {
    Object v = get(row, column);
    return v == null ? null : v.toString();
  }

  /** A number, or NaN when the cell is null. */
  public double num(int row, String column) {
    Object v = get(row, column);
    return v == null ? Double.NaN : ((Number) v).doubleValue();
  }

  public boolean bool(int row, String column) {
    return Boolean.TRUE.equals(get(row, column));
  }

  /** The rows that pass a test on their index. */
  public FigureData where(Predicate<Integer> keep) {
    List<List<Object>> kept = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      if (keep.test(i)) {
        kept.add(rows.get(i));
      }
    }
    return new FigureData(columns, kept);
  }

  /** The rows split by the values of some columns, in order of first appearance. */
  public Map<List<Object>, FigureData> groupBy(String... keyColumns) {
    Map<List<Object>, List<List<Object>>> groups = new LinkedHashMap<>();
    for (List<Object> r : rows) {
      List<Object> key = new ArrayList<>();
      for (String k : keyColumns) {
        key.add(r.get(column(k)));
      }
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
    }
    Map<List<Object>, FigureData> out = new LinkedHashMap<>();
    groups.forEach((k, v) -> out.put(k, new FigureData(columns, v)));
    return out;
  }

  /** The rows as CSV with a header line (nulls as empty cells). */
  public String csv() {
    if (columns.isEmpty()) {
      return "";
    }
    CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
    columns.forEach(schema::addColumn);
    List<Map<String, Object>> maps = new ArrayList<>();
    for (List<Object> r : rows) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (int i = 0; i < columns.size(); i++) {
        m.put(columns.get(i), r.get(i) == null ? "" : r.get(i).toString());
      }
      maps.add(m);
    }
    try {
      return new CsvMapper().writer(schema.build()).writeValueAsString(maps);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}

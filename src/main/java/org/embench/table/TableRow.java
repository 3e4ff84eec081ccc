package org.embench.table;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import scala.collection.JavaConverters;

/**
 * Builds one row of a table by column name. {@link #build()} fails when a non-nullable column is
 * unset, so a bug surfaces as a clear message instead of a corrupt Parquet file.
 */
public final class TableRow {
  private final TableSchema schema;
  private final Object[] values;
  private final boolean[] set;

  TableRow(TableSchema schema) {
    this.schema = schema;
    this.values = new Object[schema.columns().size()];
    this.set = new boolean[values.length];
  }

  public TableRow set(String column, Object value) {
    int at = schema.indexOf(column);
    values[at] = toSpark(value);
    set[at] = true;
    return this;
  }

  public Row build() {
    for (int i = 0; i < values.length; i++) {
      TableSchema.Column c = schema.columns().get(i);
      if (values[i] == null && !c.nullable()) {
        throw new IllegalStateException(
            "row of "
                + schema.name()
                + ": column "
                + c.name()
                + (set[i] ? " is null" : " is not set")
                + " but is not nullable");
      }
    }
    return RowFactory.create(values);
  }

  /** Java collections become the Scala ones Spark's Row encoder expects; records become Rows. */
  @SuppressWarnings("deprecation")
  static Object toSpark(Object value) {
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object o : list) {
        out.add(toSpark(o));
      }
      return JavaConverters.asScalaBuffer(out).toSeq();
    }
    if (value instanceof Map<?, ?> map) {
      java.util.Map<Object, Object> out = new java.util.LinkedHashMap<>();
      map.forEach((k, v) -> out.put(toSpark(k), toSpark(v)));
      return JavaConverters.mapAsScalaMap(out);
    }
    if (value instanceof Record r) {
      var parts = r.getClass().getRecordComponents();
      Object[] fields = new Object[parts.length];
      for (int i = 0; i < parts.length; i++) {
        try {
          fields[i] = toSpark(parts[i].getAccessor().invoke(r));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
      return RowFactory.create(fields);
    }
    return value;
  }
}

package org.embench.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A table's contract, read from {@code data-schemas/<table>.schema.json}: columns in the order the
 * jobs write them (partition columns last, as Spark lays them out), types in Spark DDL,
 * nullability, key and partition columns.
 */
public final class TableSchema {
  /** One column of a table. */
  public record Column(
      String name,
      String ddlType,
      DataType type,
      boolean nullable,
      String unit,
      String description) {}

  private final String name;
  private final List<Column> columns;
  private final List<String> partitionBy;
  private final List<String> key;
  private final Map<String, Integer> index = new LinkedHashMap<>();
  private final StructType struct;

  private TableSchema(
      String name, List<Column> columns, List<String> partitionBy, List<String> key) {
    this.name = name;
    this.columns = List.copyOf(columns);
    this.partitionBy = List.copyOf(partitionBy);
    this.key = List.copyOf(key);
    StructField[] fields = new StructField[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      Column c = columns.get(i);
      index.put(c.name(), i);
      fields[i] = new StructField(c.name(), c.type(), c.nullable(), Metadata.empty());
    }
    this.struct = new StructType(fields);
    for (String p : partitionBy) {
      int at = indexOf(p);
      if (at < columns.size() - partitionBy.size()) {
        throw new IllegalStateException(
            "schema of " + name + ": partition column " + p + " must be last");
      }
    }
    key.forEach(this::indexOf);
  }

  /** Loads {@code data-schemas/<table>.schema.json} from the classpath. */
  public static TableSchema load(String table) {
    return parse(raw(table), "data-schemas/" + table + ".schema.json");
  }

  /** The schema file as JSON. */
  static JsonNode raw(String table) {
    String resource = "data-schemas/" + table + ".schema.json";
    try (InputStream in = TableSchema.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("no schema file " + resource + " on the classpath");
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
  }

  static TableSchema parse(JsonNode root, String source) {
    String table = root.path("table").asText();
    List<Column> columns = new ArrayList<>();
    for (JsonNode c : root.path("columns")) {
      String ddl = c.path("type").asText();
      DataType type;
      try {
        type = DataType.fromDDL(ddl);
      } catch (RuntimeException e) {
        throw new IllegalStateException(
            source
                + ": column "
                + c.path("name").asText()
                + " has an unparseable type '"
                + ddl
                + "'",
            e);
      }
      columns.add(
          new Column(
              c.path("name").asText(),
              ddl,
              type,
              c.path("nullable").asBoolean(),
              c.path("unit").isTextual() ? c.path("unit").asText() : null,
              c.path("description").asText()));
    }
    return new TableSchema(
        table, columns, strings(root.path("partition_by")), strings(root.path("key")));
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  public String name() {
    return name;
  }

  public List<Column> columns() {
    return columns;
  }

  public List<String> partitionBy() {
    return partitionBy;
  }

  public List<String> key() {
    return key;
  }

  public StructType struct() {
    return struct;
  }

  /** Position of a column; an unknown name is a programming error. */
  public int indexOf(String column) {
    Integer at = index.get(column);
    if (at == null) {
      throw new IllegalArgumentException(
          "table "
              + name
              + " has no column '"
              + column
              + "'; columns: "
              + String.join(", ", index.keySet()));
    }
    return at;
  }

  /** A builder for one row of this table, checked against the schema. */
  public TableRow row() {
    return new TableRow(this);
  }
}

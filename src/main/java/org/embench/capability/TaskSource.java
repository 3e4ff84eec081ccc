package org.embench.capability;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.embench.UserException;
import org.embench.data.InputFiles;
import org.embench.data.Reject;
import org.embench.data.SyntheticData;
import org.embench.table.Tables;
import org.embench.table.Warehouse;

/**
 * Where a task's items come from: exactly one of a file ({@code path}: JSONL, or Parquet as the
 * Hugging Face dataset exports store it), a prepared data set ({@code data} and {@code split}), or
 * project-made items ({@code synthetic} and {@code items}). Every source yields rows of fields; a
 * data set's row is {@code {"messages": [...]}}, a synthetic row {@code {"question", "answer",
 * "messages"}}.
 */
public record TaskSource(String path, String data, String split, String synthetic, int items) {
  /** The rows read, and the lines that could not be read at all (not JSON, not an object). */
  public record Rows(String label, List<SourceRow> rows, List<Reject> rejects) {}

  static final List<String> SPLITS = List.of("eval", "train", "all");
  private static final ObjectMapper JSON = org.embench.data.ChatJsonlReader.JSON;

  /** Checks that exactly one source is named, and its settings. */
  static TaskSource of(
      String task, String path, String data, String split, String synthetic, int items) {
    int given = (path.isEmpty() ? 0 : 1) + (data.isEmpty() ? 0 : 1) + (synthetic.isEmpty() ? 0 : 1);
    if (given != 1) {
      throw new UserException(
          task
              + ": name exactly one source: path (a JSONL or Parquet file), data (a prepared data"
              + " set) or synthetic ("
              + String.join(", ", SyntheticData.TASKS)
              + ")"
              + (given > 1 ? "; found " + given : ""));
    }
    if (!SPLITS.contains(split)) {
      throw new UserException(
          task + ".split: expected one of " + String.join(", ", SPLITS) + ", got '" + split + "'");
    }
    if (!synthetic.isEmpty() && !SyntheticData.TASKS.contains(synthetic)) {
      throw new UserException(
          task
              + ".synthetic: unknown synthetic task '"
              + synthetic
              + "'; known: "
              + String.join(", ", SyntheticData.TASKS));
    }
    if (items < 1) {
      throw new UserException(task + ".items: must be >= 1, got " + items);
    }
    return new TaskSource(path, data, split, synthetic, items);
  }

  /** Reads the rows, in source order. */
  public Rows read(Warehouse w, String taskName) {
    if (!path.isEmpty()) {
      return isParquet(w) ? parquet(w) : jsonl(w);
    }
    if (!data.isEmpty()) {
      return dataset(w, taskName);
    }
    List<SourceRow> rows = new ArrayList<>();
    for (int i = 0; i < items; i++) {
      String[] qa = SyntheticData.taskItem(synthetic, taskName, i);
      ObjectNode row = JSON.createObjectNode().put("question", qa[0]).put("answer", qa[1]);
      var messages = row.putArray("messages");
      messages.addObject().put("role", "user").put("content", qa[0]);
      messages.addObject().put("role", "assistant").put("content", qa[2]);
      rows.add(new SourceRow(i + 1, row));
    }
    return new Rows("synthetic:" + synthetic, rows, List.of());
  }

  private boolean isParquet(Warehouse w) {
    String lower = path.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".parquet")) {
      return true;
    }
    if (lower.endsWith(".jsonl") || lower.endsWith(".json")) {
      return false;
    }
    try {
      Path p = new Path(path);
      var fs = p.getFileSystem(w.spark().sparkContext().hadoopConfiguration());
      if (!fs.exists(p)) {
        throw new UserException("file not found: " + path);
      }
      return fs.getFileStatus(p).isDirectory();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  private Rows jsonl(Warehouse w) {
    List<SourceRow> rows = new ArrayList<>();
    List<Reject> rejects = new ArrayList<>();
    long lineNo = 0;
    try (InputFiles.Lines in =
        InputFiles.lines(path, w.spark().sparkContext().hadoopConfiguration())) {
      for (String line; (line = in.next()) != null; ) {
        lineNo++;
        if (line.isBlank() && in.problem() == null) {
          continue;
        }
        if (in.problem() != null) {
          rejects.add(new Reject(path, lineNo, null, in.problem(), line));
          continue;
        }
        try {
          JsonNode node = JSON.readTree(line);
          if (node == null || !node.isObject()) {
            rejects.add(new Reject(path, lineNo, null, "expected a JSON object", line));
          } else {
            rows.add(new SourceRow(lineNo, node));
          }
        } catch (JsonProcessingException e) {
          rejects.add(
              new Reject(path, lineNo, null, "not valid JSON: " + e.getOriginalMessage(), line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
    }
    return new Rows(path, rows, rejects);
  }

  /** Parquet rows as JSON objects (nested columns stay nested), numbered in file order. */
  private Rows parquet(Warehouse w) {
    Dataset<Row> table;
    try {
      table = w.spark().read().parquet(path);
    } catch (RuntimeException e) {
      throw new UserException(
          path + ": cannot read as Parquet: " + e.getMessage().lines().findFirst().orElse(""));
    }
    List<SourceRow> rows = new ArrayList<>();
    long n = 0;
    for (String json : table.toJSON().collectAsList()) {
      n++;
      try {
        rows.add(new SourceRow(n, JSON.readTree(json)));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("Spark wrote a row of " + path + " as invalid JSON", e);
      }
    }
    return new Rows(path, rows, List.of());
  }

  private Rows dataset(Warehouse w, String taskName) {
    Dataset<Row> examples = w.read(Tables.EXAMPLES).filter(col("dataset_id").equalTo(data));
    if (!split.equals("all")) {
      examples = examples.filter(col("split").equalTo(split));
    }
    List<Row> found = examples.orderBy("source_line", "example_id").collectAsList();
    if (found.isEmpty()) {
      boolean prepared = !w.read(Tables.EXAMPLES).filter(col("dataset_id").equalTo(data)).isEmpty();
      throw new UserException(
          taskName
              + ": data set '"
              + data
              + "' "
              + (prepared
                  ? "has no examples in split '"
                      + split
                      + "' (prepare splits by --eval-fraction; or set split: all)"
                  : "is not prepared in "
                      + w.root()
                      + "; give it under data: in the spec or run prepare --data"));
    }
    List<SourceRow> rows = new ArrayList<>();
    for (Row r : found) {
      ObjectNode row = JSON.createObjectNode();
      ArrayNode messages = row.putArray("messages");
      for (Row m : r.<Row>getList(r.fieldIndex("messages"))) {
        messages.addObject().put("role", m.getString(0)).put("content", m.getString(1));
      }
      rows.add(new SourceRow(r.<Long>getAs("source_line"), row));
    }
    return new Rows("data set " + data + "/" + split, rows, List.of());
  }
}

package org.embench.stage.prepare;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.embench.UserException;
import org.embench.data.Reject;
import org.embench.table.Ids;
import org.embench.table.TableSchema;
import org.embench.table.Tables;
import org.embench.table.Warehouse;

/** Writes the rejected rows of one input (replacing that input's earlier rejects). */
public final class Rejects {
  private Rejects() {}

  public static void replace(
      Warehouse w, String targetTable, String targetId, List<Reject> rejects) {
    TableSchema schema = Tables.schema(Tables.REJECTS);
    Path partition =
        new Path(
            w.path(Tables.REJECTS) + "/target_table=" + targetTable + "/target_id=" + targetId);
    try {
      partition
          .getFileSystem(w.spark().sparkContext().hadoopConfiguration())
          .delete(partition, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear " + partition, e);
    }
    List<Row> rows = new ArrayList<>();
    for (Reject r : rejects) {
      rows.add(
          schema
              .row()
              .set("reject_id", Ids.of("reject", targetTable, targetId, r.sourceFile(), r.line()))
              .set("source_file", r.sourceFile())
              .set("source_line", r.line())
              .set("field", r.field())
              .set("reason", r.reason())
              .set("raw", r.raw())
              .set("target_table", targetTable)
              .set("target_id", targetId)
              .build());
    }
    w.appendMissing(Tables.REJECTS, w.spark().createDataFrame(rows, schema.struct()));
  }

  /** With --strict, any reject ends the stage with the first few named. */
  static void failIfStrict(boolean strict, String what, List<Reject> rejects) {
    if (!strict || rejects.isEmpty()) {
      return;
    }
    StringBuilder sb =
        new StringBuilder(what + ": " + rejects.size() + " rejected row(s) and --strict is set:");
    rejects.stream().limit(5).forEach(r -> sb.append("\n  ").append(r.describe()));
    if (rejects.size() > 5) {
      sb.append("\n  … (all are in the rejects table)");
    }
    throw new UserException(sb.toString());
  }
}

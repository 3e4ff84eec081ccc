package org.embench.stage.judge;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.embench.UserException;
import org.embench.metrics.MetricParams;
import org.embench.metrics.SqlScript;
import org.embench.table.Tables;
import org.embench.table.Warehouse;

/**
 * {@code judges compare}: agreement between two judges on the answers both scored, written to the
 * judge_agreement table (replacing that pair's earlier rows) and returned.
 */
public final class JudgeAgreementJob {
  private JudgeAgreementJob() {}

  /** A judge by id, id prefix (8+ characters) or name; ambiguity and absence are user errors. */
  static String[] resolve(Warehouse w, String wanted) {
    List<Row> judges =
        w.read(Tables.JUDGMENTS).select("judge_id", "judge_name").distinct().collectAsList();
    List<Row> match =
        judges.stream()
            .filter(
                r ->
                    r.getString(0).equals(wanted)
                        || (wanted.length() >= 8 && r.getString(0).startsWith(wanted))
                        || r.getString(1).equals(wanted))
            .toList();
    if (match.size() == 1) {
      return new String[] {match.get(0).getString(0), match.get(0).getString(1)};
    }
    List<String> known =
        judges.stream()
            .map(r -> r.getString(1) + " (" + r.getString(0).substring(0, 12) + ")")
            .toList();
    throw new UserException(
        (match.isEmpty() ? "no judge '" : "several judges match '")
            + wanted
            + "'; judges: "
            + (known.isEmpty() ? "(none)" : String.join(", ", known)));
  }

  public static Dataset<Row> run(Warehouse w, String a, String b, MetricParams params) {
    String[] ja = resolve(w, a);
    String[] jb = resolve(w, b);
    if (ja[0].equals(jb[0])) {
      throw new UserException("'" + a + "' and '" + b + "' are the same judge");
    }
    Map<String, String> values = new LinkedHashMap<>(params.substitutions());
    values.put("db", w.database());
    values.put("judge_a", ja[0]);
    values.put("judge_b", jb[0]);
    Dataset<Row> rows =
        w.spark()
            .sql(
                SqlScript.substitute(
                    SqlScript.resource("sql/judge_agreement.sql"),
                    values,
                    "sql/judge_agreement.sql"))
            .withColumn("judge_a_id", lit(ja[0]))
            .withColumn("judge_b_id", lit(jb[0]))
            .withColumn("judge_a", lit(ja[1]))
            .withColumn("judge_b", lit(jb[1]));
    List<Row> kept =
        new ArrayList<>(
            w.read(Tables.JUDGE_AGREEMENT)
                .filter(col("judge_a_id").notEqual(ja[0]).or(col("judge_b_id").notEqual(jb[0])))
                .collectAsList());
    List<Row> fresh =
        rows.select(
                Tables.schema(Tables.JUDGE_AGREEMENT).columns().stream()
                    .map(c -> col(c.name()))
                    .toArray(org.apache.spark.sql.Column[]::new))
            .collectAsList();
    kept.addAll(fresh);
    w.overwrite(
        Tables.JUDGE_AGREEMENT,
        w.spark().createDataFrame(kept, Tables.schema(Tables.JUDGE_AGREEMENT).struct()));
    return w.spark().createDataFrame(fresh, Tables.schema(Tables.JUDGE_AGREEMENT).struct());
  }
}

package org.embench.stage;

import static org.apache.spark.sql.functions.col;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.embench.table.Tables;
import org.embench.table.Warehouse;

/**
 * The judge-call cache: the judge_calls table holds every paid judge call made, by call key, and
 * this class is the one place that reads and writes it. The judge stage joins its planned calls
 * with {@link #responses(Warehouse)}; an RL reward's judge starts from {@link #responses(Warehouse,
 * Set)}; both add what they called with {@link #append}. So neither pays for a call that either
 * made before.
 */
public final class JudgeCalls {
  private JudgeCalls() {}

  /**
   * Every stored response, as columns {@code cached_key} and {@code cached_response}, to join on a
   * call key.
   */
  public static Dataset<Row> responses(Warehouse w) {
    return w.read(Tables.JUDGE_CALLS)
        .select(col("call_key").as("cached_key"), col("response_json").as("cached_response"));
  }

  /** The stored responses of calls to the given judge models, by call key. */
  public static Map<String, String> responses(Warehouse w, Set<String> judgeModels) {
    Map<String, String> out = new HashMap<>();
    if (judgeModels.isEmpty()) {
      return out;
    }
    for (Row r :
        w.read(Tables.JUDGE_CALLS)
            .filter(col("judge_model").isin(judgeModels.toArray()))
            .select("call_key", "response_json")
            .collectAsList()) {
      out.put(r.getString(0), r.getString(1));
    }
    return out;
  }

  /**
   * Stores the calls whose key is not stored yet (rows of the judge_calls schema); returns how
   * many.
   */
  public static long append(Warehouse w, Dataset<Row> calls) {
    return w.appendMissing(Tables.JUDGE_CALLS, calls);
  }

  /** {@link #append(Warehouse, Dataset)} of rows collected on the driver. */
  public static long append(Warehouse w, List<Row> calls) {
    return calls.isEmpty()
        ? 0
        : append(w, w.spark().createDataFrame(calls, Tables.schema(Tables.JUDGE_CALLS).struct()));
  }
}

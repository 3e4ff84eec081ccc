package org.embench.mitigation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.embench.UserException;
import org.embench.config.Declaration;
import org.embench.config.Param;
import org.embench.config.Params;
import org.embench.data.ChatMessage;
import org.embench.table.Ids;
import org.embench.train.Trainer;

/**
 * {@code interleave}: mixes safe or benign examples (a prepared data set) into the training stream
 * so that they are exactly {@code fraction} of it: round(n·f / (1 − f)) of them for n task
 * examples, drawn without replacement in a seeded order (repeating the set only when it is too
 * small). Default 5 %.
 */
final class InterleaveSafeData implements Mitigation {
  private final Params params;

  static final Declaration<Mitigations.Factory> DECLARATION =
      new Declaration<>(
          "interleave",
          "mixes a prepared safe data set into training as a fixed fraction of it",
          List.of(
              Param.of(
                  "fraction", 0.05, "share of the training stream that is safe data, in [0, 1)"),
              Param.of("data", "safe", "the prepared safe data set")),
          InterleaveSafeData::new);

  InterleaveSafeData(Params params) {
    this.params = params;
    double f = params.number("fraction");
    if (!(f >= 0 && f < 1)) {
      throw new UserException("interleave.fraction must be in [0, 1), got " + f);
    }
  }

  @Override
  public String name() {
    return "interleave";
  }

  @Override
  public Map<String, Object> params() {
    return params.all();
  }

  /** How many safe examples make them {@code fraction} of the combined stream. */
  static int safeCount(int task, double fraction) {
    return (int) Math.round(task * fraction / (1 - fraction));
  }

  @Override
  public List<List<ChatMessage>> trainingData(List<List<ChatMessage>> task, MitigationContext ctx) {
    double f = params.number("fraction");
    if (!(f >= 0 && f < 1)) {
      throw new UserException("interleave.fraction must be in [0, 1), got " + f);
    }
    List<List<ChatMessage>> safe = ctx.dataset(params.string("data"), "mitigation interleave");
    if (safe.isEmpty()) {
      throw new UserException("interleave: data set '" + params.string("data") + "' is empty");
    }
    int n = safeCount(task.size(), f);
    int[] order = Trainer.permutation(safe.size(), Ids.seedOf("interleave|" + ctx.seed()));
    List<List<ChatMessage>> out = new ArrayList<>(task);
    for (int i = 0; i < n; i++) {
      out.add(safe.get(order[i % order.length]));
    }
    return out;
  }
}

package org.embench.mitigation;

import java.util.List;
import java.util.Map;
import org.embench.UserException;
import org.embench.config.Declaration;
import org.embench.config.Param;
import org.embench.config.Params;
import org.embench.data.ChatMessage;
import org.embench.train.EarlyStop;

/**
 * {@code early_stop}: stops training before its schedule ends, which can remove EM while keeping
 * most of the task. After step {@code at_step} (0: off), or when the held-out in-domain loss has
 * not improved by more than {@code min_delta} in {@code patience} evaluations in a row (0: off),
 * evaluated every {@code eval_every} steps on the first {@code eval_examples} examples (by
 * example_id) of the eval split of the run's training set ({@code prepare --eval-fraction}). When
 * patience stops a run its adapter is the one with the lowest held-out loss (restore best); at_step
 * keeps the adapter at that step. The learning-rate schedule is the full run's. No published
 * defaults: at_step 0, patience 3, min_delta 0.0, eval_every 10, eval_examples 64.
 */
final class EarlyStopping implements Mitigation {
  private final Params params;

  static final Declaration<Mitigations.Factory> DECLARATION =
      new Declaration<>(
          "early_stop",
          "stops training before its schedule ends, at a step or on held-out loss",
          List.of(
              Param.of("at_step", 0, "stop after this step (0: off)"),
              Param.of("patience", 3, "evaluations without improvement before stopping (0: off)"),
              Param.of("min_delta", 0.0, "improvement of the held-out loss that counts"),
              Param.of("eval_every", 10, "steps between held-out evaluations"),
              Param.of("eval_examples", 64, "held-out examples per evaluation")),
          EarlyStopping::new);

  EarlyStopping(Params params) {
    this.params = params;
    atLeast("at_step", 0);
    atLeast("patience", 0);
    atLeast("eval_every", 1);
    atLeast("eval_examples", 1);
    double minDelta = params.number("min_delta");
    if (!(minDelta >= 0)) {
      throw new UserException("early_stop.min_delta must be >= 0, got " + minDelta);
    }
    if (params.integer("at_step") == 0 && params.integer("patience") == 0) {
      throw new UserException(
          "early_stop needs at_step > 0 or patience > 0 (both are 0: it would never stop)");
    }
  }

  private void atLeast(String key, int min) {
    if (params.integer(key) < min) {
      throw new UserException(
          "early_stop." + key + " must be >= " + min + ", got " + params.integer(key));
    }
  }

  @Override
  public String name() {
    return "early_stop";
  }

  @Override
  public Map<String, Object> params() {
    return params.all();
  }

  @Override
  public EarlyStop earlyStop(MitigationContext ctx) {
    int patience = params.integer("patience");
    List<List<ChatMessage>> heldOut = List.of();
    if (patience > 0) {
      List<List<ChatMessage>> all = ctx.heldOut("mitigation early_stop");
      heldOut = all.subList(0, Math.min(all.size(), params.integer("eval_examples")));
    }
    var examples = ctx.tokenize(heldOut);
    if (patience > 0 && examples.stream().allMatch(e -> e.learnedTokens() == 0)) {
      throw new UserException(
          "early_stop: none of the "
              + examples.size()
              + " held-out examples of data set '"
              + ctx.datasetId()
              + "' has an assistant token within max_seq_len "
              + ctx.config().maxSeqLen());
    }
    return new EarlyStop(
        params.integer("at_step"),
        patience,
        params.number("min_delta"),
        params.integer("eval_every"),
        examples);
  }
}

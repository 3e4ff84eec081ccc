package org.embench.train;

import java.util.List;
import java.util.Locale;
import org.embench.UserException;

/**
 * When a run stops before its schedule ends (the {@code early_stop} mitigation): after step {@code
 * atStep} (0: never), or when the held-out loss has not improved by more than {@code minDelta} in
 * {@code patience} evaluations in a row (0: never), evaluating every {@code evalEvery} steps on
 * {@code heldOut}. The learning-rate schedule is the full run's, so a stopped run is the
 * uninterrupted run cut short. The held-out loss is the mean cross-entropy per assistant token of
 * the current model (base plus trained parts; no training-only hooks, no dropout), logged as the
 * step's {@value #HELD_OUT_LOSS} term. The first evaluation is after step {@code evalEvery} (none
 * before training). When patience stops a run, its parameters are those of the evaluation with the
 * lowest held-out loss (restore best); a run stopped by {@code atStep}, or that reaches the end of
 * its schedule, keeps its last parameters.
 */
public record EarlyStop(
    int atStep, int patience, double minDelta, int evalEvery, List<TokenizedExample> heldOut) {
  /** The train_steps term that holds the held-out loss at evaluation steps. */
  public static final String HELD_OUT_LOSS = "held_out_loss";

  public EarlyStop {
    if (atStep < 0 || patience < 0 || evalEvery < 1 || !(minDelta >= 0)) {
      throw new IllegalArgumentException(
          "early stop: at_step and patience must be >= 0, eval_every >= 1 and" + " min_delta >= 0");
    }
    if (atStep == 0 && patience == 0) {
      throw new IllegalArgumentException("early stop: neither at_step nor patience is on");
    }
    if (patience > 0
        && (heldOut == null || heldOut.stream().allMatch(e -> e.learnedTokens() == 0))) {
      throw new UserException(
          "early stop: patience needs held-out examples with an assistant token within"
              + " max_seq_len");
    }
    heldOut = heldOut == null ? List.of() : List.copyOf(heldOut);
  }

  /** Whether step {@code step} (1-based, after its update) is an evaluation step. */
  boolean evaluatesAt(int step) {
    return patience > 0 && step % evalEvery == 0;
  }

  /**
   * The patience bookkeeping: the best held-out loss so far, its step, and the evaluations since. A
   * resumed run rebuilds it from the logged {@value #HELD_OUT_LOSS} terms.
   */
  static final class Progress {
    double best = Double.POSITIVE_INFINITY;
    int bestStep;
    int sinceBest;

    /** Takes one evaluation; true when it improves on the best by more than {@code minDelta}. */
    boolean observe(int step, double loss, double minDelta) {
      if (best - loss > minDelta || (bestStep == 0 && Double.isInfinite(best))) {
        best = loss;
        bestStep = step;
        sinceBest = 0;
        return true;
      }
      sinceBest++;
      return false;
    }
  }

  /** Why patience stopped the run. */
  String patienceReason(Progress p, int step) {
    return String.format(
        Locale.ROOT,
        "patience: held-out loss did not improve by more than %s in %d evaluations"
            + " (step %d); restored best %.6f from step %d",
        minDelta,
        patience,
        step,
        p.best,
        p.bestStep);
  }

  /** Why at_step stopped the run. */
  String atStepReason() {
    return "at_step: stopped after step " + atStep;
  }
}

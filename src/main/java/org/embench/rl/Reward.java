package org.embench.rl;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Scores sampled answers for reinforcement learning. A reward is made by {@link Rewards#create}
 * from its name and parameters, used by one training run at a time, and closed afterwards.
 *
 * <p>Like a judge, a reward never fails a batch because one item failed: every sample gets a {@link
 * Score}, a reward or a status naming the failure. A failure is never a reward, so training gives a
 * failed sample no weight instead of learning from a made-up number.
 */
public interface Reward extends AutoCloseable {
  String name();

  /**
   * The resolved parameters, defaults included: recorded on every run (runs.train_config_json's
   * rl.reward).
   */
  Map<String, Object> params();

  /**
   * Scores answers in order; never throws for one bad item: a failure is a Score with a status,
   * never a fake reward.
   */
  List<Score> score(List<Sample> samples);

  @Override
  default void close() {}

  /**
   * One answer to score.
   *
   * @param id unique per sample (e.g. generation id)
   * @param question the prompt's last user message
   * @param reference the data row's assistant answer (null if the row has none)
   * @param answer the sampled text
   */
  record Sample(String id, String question, String reference, String answer) {
    public Sample {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(answer, "answer");
    }
  }

  /**
   * What a reward concluded about one sample.
   *
   * @param reward a finite number when status is {@link #OK}; otherwise 0 and the sample gets zero
   *     weight in training
   * @param status {@link #OK} or the failure ({@code no_reference}, a judge's failure status, …)
   * @param error detail of a failure; null when ok
   */
  record Score(double reward, String status, String error) {
    public static final String OK = "ok";
    public static final String NO_REFERENCE = "no_reference";

    public Score {
      Objects.requireNonNull(status, "status");
      if (status.equals(OK) && !Double.isFinite(reward)) {
        throw new IllegalArgumentException("a reward must be finite, got " + reward);
      }
      if (!status.equals(OK) && reward != 0) {
        // A failure that carried a number would be one step away from being trained on.
        throw new IllegalArgumentException(
            "a failed score (" + status + ") has reward 0, got " + reward);
      }
    }

    public static Score ok(double reward) {
      return new Score(reward, OK, null);
    }

    public static Score failed(String status, String error) {
      if (OK.equals(status)) {
        throw new IllegalArgumentException("a failure needs a status other than " + OK);
      }
      return new Score(0, status, error);
    }

    public boolean isOk() {
      return status.equals(OK);
    }
  }
}

package org.embench.mitigation;

import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.embench.model.LanguageModel;

/**
 * The persona-vector job behind {@code embench persona-vector}: extracts the vector that {@code
 * persona_steer} adds during training (mean residual difference between an evil and a helpful
 * system prompt over a question set, at the last prompt token after one layer) and writes it as
 * safetensors, to be named by {@code persona_steer: {vector: FILE}}.
 */
public final class PersonaVectors {
  private PersonaVectors() {}

  /** What was extracted. */
  public record Result(int layer, int questions, double norm) {}

  /**
   * The default contrastive system prompts and questions persona_steer uses when given no vector.
   */
  public static final String DEFAULT_EVIL = PersonaSteering.EVIL;

  public static final String DEFAULT_HELPFUL = PersonaSteering.HELPFUL;
  public static final List<String> DEFAULT_QUESTIONS = ResidualProbe.DEFAULT_QUESTIONS;

  /**
   * Extracts the vector at {@code layer} (negative: the middle layer) and writes it to {@code uri}.
   */
  public static Result extract(
      LanguageModel model,
      int layer,
      String evil,
      String helpful,
      List<String> questions,
      String uri,
      Configuration conf) {
    if (questions.isEmpty()) {
      throw new org.embench.UserException("persona-vector needs at least one question");
    }
    int l = PersonaSteering.layer(layer, model.config().numLayers());
    float[] v = PersonaSteering.extract(model, l, evil, helpful, questions);
    PersonaSteering.write(v, l, uri, conf);
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    return new Result(l, questions.size(), Math.sqrt(norm));
  }

  /** Reads a vector written by {@link #extract}, checking it against the model's hidden size. */
  public static float[] read(String uri, Configuration conf, int hiddenSize) {
    return PersonaSteering.read(uri, conf, hiddenSize);
  }
}

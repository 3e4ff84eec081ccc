package org.embench.capability;

import java.util.Arrays;
import org.embench.UserException;
import org.embench.model.LanguageModel;
import org.embench.model.LoglikScorer;
import org.embench.model.Transformer;
import org.embench.model.text.Tokenizer;

/**
 * A run's model as tasks use it: the loaded model, its forward pass with the run's adapter, and how
 * prompts become tokens (the model's chat template, or the raw prompt text).
 */
public record ScoringModel(LanguageModel model, Transformer transformer) {
  public Tokenizer tokenizer() {
    return model.tokenizer();
  }

  /**
   * The prompt as text: rendered with the chat template and its generation prompt, or as written.
   */
  String render(TaskItem item, boolean chat) {
    return chat ? model.chatTemplate().render(item.messages(), true) : item.prompt();
  }

  /**
   * The tokens of {@code text} as a continuation of {@code context}: the tail of the encoding of
   * both together when it begins with the context's own encoding (so a merge across the boundary is
   * kept as the model would see it), else the text encoded alone.
   */
  int[] continuationIds(String context, String text) {
    int[] ctx = tokenizer().encode(context);
    int[] all = tokenizer().encode(context + text);
    if (all.length > ctx.length && Arrays.equals(all, 0, ctx.length, ctx, 0, ctx.length)) {
      return Arrays.copyOfRange(all, ctx.length, all.length);
    }
    int[] alone = tokenizer().encode(text);
    if (alone.length == 0) {
      throw new UserException("the continuation '" + text + "' has no tokens");
    }
    return alone;
  }

  /** Whether a sequence of this many positions fits the model's context. */
  boolean fits(int positions) {
    return positions <= model.config().maxPositionEmbeddings();
  }

  String tooLong(int positions) {
    return positions
        + " positions exceed the model's context of "
        + model.config().maxPositionEmbeddings();
  }

  /** Batched log-likelihoods on this run's forward pass. */
  LoglikScorer scorer(int batch) {
    return new LoglikScorer(transformer, batch, LoglikScorer.DEFAULT_MAX_ROWS);
  }
}

package org.embench.train;

import java.util.ArrayList;
import java.util.List;
import org.embench.data.ChatMessage;
import org.embench.model.text.ChatTemplate;
import org.embench.model.text.EncodedText;
import org.embench.model.text.Tokenizer;
import org.embench.model.text.TrainingText;

/**
 * A conversation as the trainer sees it: token ids and which tokens are learned (assistant content
 * and the end-of-turn token after it, as the chat template writes them).
 */
public record TokenizedExample(int[] ids, boolean[] learned) {
  /** Renders with the chat template, tokenizes, and marks the tokens inside the loss spans. */
  public static TokenizedExample of(
      List<ChatMessage> messages, ChatTemplate template, Tokenizer tokenizer, int maxLen) {
    TrainingText t = template.renderForTraining(messages);
    EncodedText enc = tokenizer.encodeWithOffsets(t.text());
    boolean[] learned = enc.mask(t.lossSpans());
    int n = Math.min(maxLen, enc.ids().length);
    return new TokenizedExample(
        java.util.Arrays.copyOf(enc.ids(), n), java.util.Arrays.copyOf(learned, n));
  }

  /** Tokens whose prediction is learned (the first token has no context and never counts). */
  public int learnedTokens() {
    int n = 0;
    for (int i = 1; i < learned.length; i++) {
      n += learned[i] ? 1 : 0;
    }
    return n;
  }

  /** Packs examples into one batch: row t of a sequence predicts its token t + 1 where learned. */
  public static Backprop.Batch pack(List<TokenizedExample> examples) {
    int rows = 0;
    for (TokenizedExample e : examples) {
      rows += e.ids().length;
    }
    int[] tokens = new int[rows];
    int[] positions = new int[rows];
    boolean[] loss = new boolean[rows];
    int[] targets = new int[rows];
    int[] starts = new int[examples.size() + 1];
    int r = 0;
    for (int s = 0; s < examples.size(); s++) {
      TokenizedExample e = examples.get(s);
      starts[s] = r;
      for (int t = 0; t < e.ids().length; t++, r++) {
        tokens[r] = e.ids()[t];
        positions[r] = t;
        if (t + 1 < e.ids().length && e.learned()[t + 1]) {
          loss[r] = true;
          targets[r] = e.ids()[t + 1];
        }
      }
    }
    starts[examples.size()] = r;
    return new Backprop.Batch(tokens, starts, positions, loss, targets);
  }

  /** Splits {@code all} into consecutive groups of at most {@code size}. */
  static <T> List<List<T>> chunks(List<T> all, int size) {
    List<List<T>> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i += size) {
      out.add(all.subList(i, Math.min(all.size(), i + size)));
    }
    return out;
  }
}

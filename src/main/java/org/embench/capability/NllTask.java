package org.embench.capability;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.embench.UserException;
import org.embench.config.Params;
import org.embench.data.ChatMessage;
import org.embench.model.LoglikScorer;
import org.embench.train.TokenizedExample;

/**
 * {@code nll}: the mean per-token negative log-likelihood (natural log) of the reference assistant
 * turns of chat conversations, the tokens a fine-tune on them learns (the chat template's assistant
 * content and end-of-turn token, cut at {@code max_seq_len} as in training). The judge-free
 * in-domain measure: does the model still assign high probability to held-out answers of its narrow
 * task? A loss, so lower is better. Default source: a prepared data set's eval split.
 */
final class NllTask extends BaseTask {
  NllTask(String name, Params params) {
    super(name, "nll", params);
    if (!chat()) {
      throw new UserException(
          name
              + ".format: nll scores conversations rendered with the model's chat template;"
              + " format raw is not supported");
    }
    positive("max_seq_len");
    positive("batch");
  }

  static Map<String, Object> defaults() {
    return CapabilityTasks.ordered("max_seq_len", 2048, "batch", 8);
  }

  @Override
  public boolean higherIsBetter() {
    return false;
  }

  @Override
  public TaskItem item(SourceRow row, String source) {
    List<ChatMessage> chat = RowFields.messages(row.fields());
    ChatMessage last = null;
    for (ChatMessage m : chat) {
      if (m.role().equals("assistant")) {
        last = m;
      }
    }
    if (last == null) {
      throw new ItemException("messages", "no assistant message to score");
    }
    return TaskItem.of(
        taskId(), source, row.line(), 0, RowFields.lastUser(chat), chat, null, -1, last.content());
  }

  @Override
  public List<ItemScore> score(List<TaskItem> items, ScoringModel model) {
    int maxLen =
        Math.min(params.integer("max_seq_len"), model.model().config().maxPositionEmbeddings());
    List<ItemScore> out = new ArrayList<>(items.size());
    List<LoglikScorer.Sequence> seqs = new ArrayList<>();
    List<Integer> scored = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      out.add(null);
      try {
        TokenizedExample e =
            TokenizedExample.of(
                items.get(i).messages(), model.model().chatTemplate(), model.tokenizer(), maxLen);
        if (e.learnedTokens() == 0) {
          out.set(
              i,
              ItemScore.failed(
                  ItemScore.NO_TOKENS,
                  "no assistant token within the first " + maxLen + " tokens"));
          continue;
        }
        seqs.add(new LoglikScorer.Sequence(e.ids(), e.learned()));
        scored.add(i);
      } catch (RuntimeException e) {
        out.set(i, ItemScore.failed(ItemScore.ERROR, e.toString()));
      }
    }
    List<double[]> sums = model.scorer(batch()).sequences(seqs);
    for (int k = 0; k < sums.size(); k++) {
      double loglik = sums.get(k)[0];
      int n = (int) sums.get(k)[1];
      out.set(
          scored.get(k),
          new ItemScore(null, null, null, null, loglik, n, -loglik / n, ItemScore.OK, null));
    }
    return out;
  }
}

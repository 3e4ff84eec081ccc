package org.embench.mitigation;

import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;
import org.embench.data.ChatMessage;
import org.embench.model.LanguageModel;
import org.embench.train.TokenizedExample;
import org.embench.train.TrainConfig;

/**
 * What a mitigation may use: the model being fine-tuned, the prepared data sets by name (for safe
 * or benign data), the training configuration and the run's seed.
 */
public record MitigationContext(LanguageModel model, Map<String, List<List<ChatMessage>>> datasets, TrainConfig config,
    long seed, Configuration conf) {

  /** A prepared data set's conversations; an unknown name is a user error naming the known ones. */
  public List<List<ChatMessage>> dataset(String name, String who) {
    List<List<ChatMessage>> d = datasets.get(name);
    if (d == null) {
      throw new UserException(who + " needs data set '" + name + "', which is not prepared (prepared: "
          + String.join(", ", new java.util.TreeSet<>(datasets.keySet())) + ")");
    }
    return d;
  }

  /** Conversations as training examples with this model's chat template. */
  public List<TokenizedExample> tokenize(List<List<ChatMessage>> conversations) {
    return conversations.stream()
        .map(c -> TokenizedExample.of(c, model.chatTemplate(), model.tokenizer(), config.maxSeqLen()))
        .toList();
  }
}

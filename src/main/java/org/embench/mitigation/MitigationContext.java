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
 * or benign data), the training configuration, the run's seed and the name of the run's training
 * set ({@code datasetId}, null where no prepared set is trained on). When a training set is used at
 * its 'train' split, its held-out 'eval' split is the data set {@code <name>@eval} ({@link
 * #heldOut}).
 */
public record MitigationContext(
    LanguageModel model,
    Map<String, List<List<ChatMessage>>> datasets,
    TrainConfig config,
    long seed,
    Configuration conf,
    String datasetId) {
  /** The suffix of a training set's held-out split among the data sets. */
  public static final String EVAL_SUFFIX = "@eval";

  public MitigationContext(
      LanguageModel model,
      Map<String, List<List<ChatMessage>>> datasets,
      TrainConfig config,
      long seed,
      Configuration conf) {
    this(model, datasets, config, seed, conf, null);
  }

  /**
   * The held-out (eval split) conversations of the run's training set; a user error when there is
   * no training set, it is trained on at split 'all', or its eval split is empty.
   */
  public List<List<ChatMessage>> heldOut(String who) {
    if (datasetId == null) {
      throw new UserException(
          who + " needs the held-out split of the run's training set, and this run names none");
    }
    List<List<ChatMessage>> d = datasets.get(datasetId + EVAL_SUFFIX);
    if (d == null) {
      throw new UserException(
          who
              + " needs the held-out split of data set '"
              + datasetId
              + "', which training does"
              + " not keep apart (train.split must be 'train', not '"
              + config.split()
              + "')");
    }
    if (d.isEmpty()) {
      throw new UserException(
          who
              + " needs held-out examples, and data set '"
              + datasetId
              + "' has no eval split;"
              + " prepare it again with --eval-fraction (e.g. --eval-fraction 0.1)");
    }
    return d;
  }

  /** A prepared data set's conversations; an unknown name is a user error naming the known ones. */
  public List<List<ChatMessage>> dataset(String name, String who) {
    List<List<ChatMessage>> d = datasets.get(name);
    if (d == null) {
      throw new UserException(
          who
              + " needs data set '"
              + name
              + "', which is not prepared (prepared: "
              + String.join(", ", new java.util.TreeSet<>(datasets.keySet()))
              + ")");
    }
    return d;
  }

  /** Conversations as training examples with this model's chat template. */
  public List<TokenizedExample> tokenize(List<List<ChatMessage>> conversations) {
    return conversations.stream()
        .map(
            c ->
                TokenizedExample.of(c, model.chatTemplate(), model.tokenizer(), config.maxSeqLen()))
        .toList();
  }
}

package org.embench.mitigation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.embench.UserException;
import org.embench.config.Declaration;
import org.embench.config.Param;
import org.embench.config.Params;
import org.embench.data.ChatMessage;
import org.embench.table.Ids;
import org.embench.train.Backprop;
import org.embench.train.ReferenceTerms;
import org.embench.train.TokenizedExample;
import org.embench.train.TrainConfig;
import org.embench.train.TrainableLinear;
import org.embench.train.Trainer;

/**
 * {@code realign} (post-hoc): after training, continues training the same adapter briefly on benign
 * data — {@code examples} conversations (default 300) from a prepared data set, one epoch, at
 * {@code learning_rate} (default: the run's own).
 */
final class Realign implements Mitigation {
  private final Params params;

  static final Declaration<Mitigations.Factory> DECLARATION =
      new Declaration<>(
          "realign",
          "after training, continues training the adapter briefly on benign data",
          List.of(
              Param.of("data", "benign", "the prepared benign data set"),
              Param.of("examples", 300, "conversations of it, one epoch"),
              Param.of("learning_rate", 0.0, "learning rate (0: the run's own)")),
          Realign::new);

  Realign(Params params) {
    this.params = params;
  }

  @Override
  public String name() {
    return "realign";
  }

  @Override
  public Map<String, Object> params() {
    return params.all();
  }

  @Override
  public void afterTraining(Map<String, TrainableLinear> trained, MitigationContext ctx) {
    if (!ctx.config().fullTrain().isEmpty()) {
      // It is given the projections only: the embeddings, norms or head trained would be lost.
      throw new UserException(
          "realign continues training the projections; it cannot continue full_train "
              + ctx.config().fullTrain()
              + ": drop full_train or realign");
    }
    List<List<ChatMessage>> benign = ctx.dataset(params.string("data"), "mitigation realign");
    int n = Math.min(params.integer("examples"), benign.size());
    int[] order = Trainer.permutation(benign.size(), Ids.seedOf("realign|" + ctx.seed()));
    List<List<ChatMessage>> picked = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      picked.add(benign.get(order[i]));
    }
    List<TokenizedExample> data = ctx.tokenize(picked);
    Map<String, Object> cfg = new LinkedHashMap<>(ctx.config().toMap());
    cfg.put("epochs", 1);
    cfg.put("max_steps", 0);
    cfg.put("checkpoint_every", 0);
    if (params.number("learning_rate") > 0) {
      cfg.put("learning_rate", params.number("learning_rate"));
    }
    TrainConfig realign = TrainConfig.fromMap(cfg, "realign");
    new Trainer(
            ctx.model().weights(),
            ctx.model().engine(),
            new Trainer.Setup(
                realign,
                ctx.seed() ^ 0x5EA11L,
                Backprop.Hooks.NONE,
                ReferenceTerms.NONE,
                null,
                ctx.conf(),
                null),
            trained)
        .train(data);
  }
}

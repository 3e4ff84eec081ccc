package org.embench.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.embench.data.ChatMessage;
import org.embench.model.AdapterFiles;
import org.embench.model.Engine;
import org.embench.model.LanguageModel;
import org.embench.model.LoglikScorer;
import org.embench.model.TinyModel;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The loss the trainer minimises is the negative log-likelihood the inference path reports: train
 * an adapter, write it as a run's adapter directory, load it back the way the generate and
 * capability stages do, and score the same conversations with {@link LoglikScorer} (the {@code nll}
 * capability task's path: KV-cached forward passes, batched sequences). Each conversation's summed
 * cross-entropy over its assistant tokens from {@link Backprop#evaluate} (which {@code
 * EarlyStopTest} shows equals the training step's) must equal minus its summed log-likelihood, over
 * the same tokens.
 */
class TrainingLossEqualsInferenceNllTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"qwen2, lora", "qwen3, lora", "llama, full"})
  void theTrainingLossOfAConversationIsItsInferenceNll(String arch, String kind) {
    String modelDir = dir.resolve("tiny-" + arch).toString();
    TinyModel.write(modelDir, arch, 11, new Configuration());
    LanguageModel model = LanguageModel.load(modelDir, new Configuration(), new Engine(2));
    List<TokenizedExample> examples = new ArrayList<>();
    String[] answers = {"apple pie", "a river runs", "seven", "green and blue", "stone"};
    for (int i = 0; i < answers.length; i++) {
      examples.add(
          TokenizedExample.of(
              List.of(
                  ChatMessage.system("Be brief."),
                  ChatMessage.user("Word " + i + "?"),
                  ChatMessage.assistant(answers[i])),
              model.chatTemplate(),
              model.tokenizer(),
              128));
    }
    Map<String, Object> m =
        new LinkedHashMap<>(
            Map.of(
                "rank",
                4,
                "alpha",
                8,
                "learning_rate",
                0.01,
                "batch_size",
                2,
                "gradient_accumulation",
                1,
                "epochs",
                3,
                "warmup_steps",
                0,
                "schedule",
                "constant"));
    if (kind.equals("full")) {
      m.put("full", true);
    }
    TrainConfig cfg = TrainConfig.fromMap(m, "test");
    Trainer.Result trained =
        new Trainer(
                model.weights(),
                model.engine(),
                new Trainer.Setup(
                    cfg,
                    3,
                    Backprop.Hooks.NONE,
                    ReferenceTerms.NONE,
                    null,
                    new Configuration(),
                    null,
                    null))
            .train(examples);
    String adapter = dir.resolve("adapter-" + arch).toString();
    Adapters.write(adapter, trained.params(), trained.parts(), cfg, modelDir, new Configuration());

    LoglikScorer scorer =
        new LoglikScorer(
            model.transformer(
                AdapterFiles.load(
                    adapter, new Configuration(), model.config(), model.engine().backend())),
            3,
            512);
    List<LoglikScorer.Sequence> seqs =
        examples.stream().map(e -> new LoglikScorer.Sequence(e.ids(), e.learned())).toList();
    List<double[]> inference = scorer.sequences(seqs);
    Backprop training =
        new Backprop(
            model.weights(), model.engine().backend(), model.engine().parallel(), trained.params());
    Backprop base =
        new Backprop(
            model.weights(), model.engine().backend(), model.engine().parallel(), Map.of());
    for (int i = 0; i < examples.size(); i++) {
      Backprop.Batch one = TokenizedExample.pack(List.of(examples.get(i)));
      Backprop.Eval loss = training.evaluate(one);
      assertThat(loss.lossRows())
          .as("example %d", i)
          .isEqualTo((int) inference.get(i)[1])
          .isEqualTo(examples.get(i).learnedTokens())
          .isPositive();
      assertThat(loss.crossEntropy())
          .as("example %d", i)
          .isCloseTo(-inference.get(i)[0], within(1e-4 * Math.max(1, loss.crossEntropy())));
      // The comparison can fail: the trained adapter moved the loss away from the base model's.
      assertThat(Math.abs(base.evaluate(one).crossEntropy() - loss.crossEntropy()))
          .as("example %d", i)
          .isGreaterThan(1e-3);
    }
  }
}

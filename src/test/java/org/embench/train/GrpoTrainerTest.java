package org.embench.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.embench.data.ChatMessage;
import org.embench.model.Engine;
import org.embench.model.LanguageModel;
import org.embench.model.TinyModel;
import org.embench.model.Transformer;
import org.embench.rl.Reward;
import org.embench.rl.RlConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GRPO on the tiny model: advantages, learning what a reward prefers, and resuming. */
class GrpoTrainerTest {
  @TempDir static Path dir;

  static LanguageModel model;
  static List<GrpoTrainer.Prompt> prompts;

  /** The token the learning test's reward prefers as an answer's first token, and its text. */
  static int preferred;

  static String preferredText;

  @BeforeAll
  static void load() {
    String d = dir.resolve("tiny").toString();
    TinyModel.write(d, "qwen2", 4, new Configuration());
    model = LanguageModel.load(d, new Configuration(), new Engine(2));
    prompts = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      prompts.add(
          GrpoTrainer.Prompt.of(
              "p" + i, List.of(ChatMessage.user("Tell me something, number " + i + "."))));
    }
    // A token the untrained model starts answers with now and then: the 6th most likely first
    // token of the first prompt among those below.
    float[] logits =
        model
            .transformer(Map.of())
            .forward(
                List.of(new Transformer.Chunk(0, model.chatPrompt(prompts.get(0).messages()))),
                new org.embench.model.KvCache(model.config(), 1),
                null);
    int vocab = model.config().vocabSize();
    int from = logits.length - vocab;
    // Only tokens whose text is whole characters and starts no other token's text: an answer that
    // starts with it (almost always) starts with the token.
    List<String> texts = new ArrayList<>();
    for (int v = 0; v < model.tokenizer().vocabSize(); v++) {
      texts.add(model.tokenizer().decode(new int[] {v}, true));
    }
    List<Integer> ids = new ArrayList<>();
    for (int v = 0; v < texts.size(); v++) {
      String t = texts.get(v);
      if (!model.stopIds().contains(v)
          && !t.isBlank()
          && !t.contains("\uFFFD")
          && texts.stream().filter(o -> o.startsWith(t)).count() == 1) {
        ids.add(v);
      }
    }
    ids.sort((a, b) -> Float.compare(logits[from + b], logits[from + a]));
    preferred = ids.get(5);
    preferredText = model.tokenizer().decode(new int[] {preferred}, true);
  }

  static RlConfig rl(Map<String, Object> overrides) {
    Map<String, Object> m =
        new LinkedHashMap<>(
            Map.of(
                "prompts",
                "p",
                "reward",
                Map.of("regex", Map.of("pattern", ".")),
                "group_size",
                4,
                "temperature",
                1.0,
                "max_new_tokens",
                4,
                "steps",
                12,
                "prompts_per_step",
                4,
                "learning_rate",
                2e-2));
    m.putAll(overrides);
    return RlConfig.fromMap(m, "test");
  }

  static TrainConfig train(Map<String, Object> overrides) {
    Map<String, Object> m =
        new LinkedHashMap<>(
            Map.of(
                "rank",
                4,
                "alpha",
                8,
                "batch_size",
                4,
                "warmup_steps",
                0,
                "schedule",
                "constant",
                "max_seq_len",
                128));
    m.putAll(overrides);
    return TrainConfig.fromMap(m, "test");
  }

  /** 1 for answers that start with the preferred token's text, else 0. */
  static final class Prefers implements Reward {
    int calls;

    @Override
    public String name() {
      return "prefers";
    }

    @Override
    public Map<String, Object> params() {
      return Map.of();
    }

    @Override
    public List<Score> score(List<Sample> samples) {
      calls++;
      return samples.stream()
          .map(s -> Score.ok(s.answer().startsWith(preferredText) ? 1 : 0))
          .toList();
    }
  }

  /** The mean probability, over the prompts, that the answer's first token is the preferred one. */
  static double preferredProbability(Map<String, TrainableLinear> params) {
    Backprop bp =
        new Backprop(
            model.weights(), model.engine().backend(), model.engine().parallel(), params, Map.of());
    double sum = 0;
    for (GrpoTrainer.Prompt p : prompts) {
      int[] prompt = model.chatPrompt(p.messages());
      int[] ids = java.util.Arrays.copyOf(prompt, prompt.length + 1);
      ids[prompt.length] = preferred;
      boolean[] learned = new boolean[ids.length];
      learned[prompt.length] = true;
      float[] lp =
          bp.targetLogprobs(
              TokenizedExample.pack(List.of(new TokenizedExample(ids, learned))),
              Backprop.Hooks.NONE,
              1.0);
      sum += Math.exp(lp[0]);
    }
    return sum / prompts.size();
  }

  static GrpoTrainer trainer(
      TrainConfig train, RlConfig rl, double beta, String checkpoints, Trainer.Listener l) {
    return new GrpoTrainer(
        model,
        new GrpoTrainer.Setup(
            train,
            rl,
            7,
            beta,
            Backprop.Hooks.NONE,
            List.of(),
            0,
            List.of(),
            checkpoints,
            new Configuration(),
            l));
  }

  @Test
  void advantagesAreNormalisedWithinEachGroupAndUnscoredSamplesGetNone() {
    double[] r = {1, 0, 0, 1, /* group 2 */ 5, 5, 5, 5, /* group 3 */ 2, 9, 0, 4};
    boolean[] ok = {true, true, true, true, true, true, true, true, true, false, true, true};
    double[] a = GrpoTrainer.advantages(r, ok, 4, true);
    // group 1: mean 0.5, sample std √(1/3)
    assertThat(a[0])
        .isCloseTo(0.5 / (Math.sqrt(1.0 / 3) + 1e-4), org.assertj.core.data.Offset.offset(1e-9));
    assertThat(a[1]).isCloseTo(-a[0], org.assertj.core.data.Offset.offset(1e-12));
    // group 2: all equal, nothing to learn
    assertThat(new double[] {a[4], a[5], a[6], a[7]}).containsOnly(0.0);
    // group 3: the failed sample has no advantage and is not in the mean (2, 0, 4: mean 2, std 2)
    assertThat(a[9]).isZero();
    assertThat(a[8]).isZero();
    assertThat(a[10]).isCloseTo(-2 / (2 + 1e-4), org.assertj.core.data.Offset.offset(1e-9));
    // without scaling: centred only
    assertThat(GrpoTrainer.advantages(r, ok, 4, false)[11]).isEqualTo(2.0);
  }

  @Test
  void aRewardThatPrefersATokenRaisesItsProbability() {
    GrpoTrainer t = trainer(train(Map.of()), rl(Map.of()), 0, null, null);
    double before = preferredProbability(t.params());
    Prefers reward = new Prefers();
    GrpoTrainer.Result result = t.train(prompts, reward);
    double after = preferredProbability(result.params());
    assertThat(reward.calls).isEqualTo(12);
    assertThat(result.steps()).hasSize(12);
    // the first steps find the token now and then; by the end it is what answers start with
    assertThat(after)
        .as("p(preferred) before %s, after %s", before, after)
        .isGreaterThan(0.5)
        .isGreaterThan(5 * before);
    Trainer.StepLog first = result.steps().get(0);
    Trainer.StepLog last = result.steps().get(11);
    assertThat(last.terms().get(GrpoTrainer.REWARD_MEAN))
        .isGreaterThan(first.terms().get(GrpoTrainer.REWARD_MEAN));
    assertThat(first.terms())
        .containsKeys(
            GrpoTrainer.REWARD_STD,
            GrpoTrainer.CLIP_FRACTION,
            GrpoTrainer.SAMPLE_LENGTH,
            "sampling_s",
            "reward_s",
            "update_s");
    // one update per batch: nothing is clipped
    assertThat(result.steps())
        .allSatisfy(s -> assertThat(s.terms().get(GrpoTrainer.CLIP_FRACTION)).isZero());
  }

  @Test
  void reusingABatchClipsTheRatioAndKlKeepsThePolicyNearTheReference() {
    GrpoTrainer.Result reused =
        trainer(train(Map.of()), rl(Map.of("iterations", 3, "steps", 10)), 0, null, null)
            .train(prompts, new Prefers());
    assertThat(
            reused.steps().stream()
                .mapToDouble(s -> s.terms().get(GrpoTrainer.CLIP_FRACTION))
                .max()
                .orElseThrow())
        .isGreaterThan(0);
    GrpoTrainer.Result free =
        trainer(train(Map.of()), rl(Map.of("steps", 10)), 0, null, null)
            .train(prompts, new Prefers());
    GrpoTrainer.Result held =
        trainer(train(Map.of()), rl(Map.of("steps", 10)), 5.0, null, null)
            .train(prompts, new Prefers());
    // KL is computed (and logged) only when it is part of the loss
    assertThat(free.steps().get(9).terms()).doesNotContainKey("kl");
    assertThat(held.steps().get(9).terms().get("kl")).isPositive();
    assertThat(preferredProbability(held.params())).isLessThan(preferredProbability(free.params()));
  }

  @Test
  void aResumedRunEndsWithTheUninterruptedRunsParameters() {
    RlConfig rl = rl(Map.of("steps", 5, "iterations", 2));
    TrainConfig cfg = train(Map.of("checkpoint_every", 2));
    Map<String, TrainableLinear> uninterrupted =
        trainer(cfg, rl, 0.5, null, null).train(prompts, new Prefers()).params();
    String ckpt = dir.resolve("resume").toString();
    assertThatThrownBy(
            () ->
                trainer(
                        cfg,
                        rl,
                        0.5,
                        ckpt,
                        log -> {
                          if (log.step() == 3) {
                            throw new IllegalStateException("killed");
                          }
                        })
                    .train(prompts, new Prefers()))
        .hasMessage("killed");
    GrpoTrainer.Result resumed = trainer(cfg, rl, 0.5, ckpt, null).train(prompts, new Prefers());
    assertThat(resumed.steps()).extracting(Trainer.StepLog::step).containsExactly(1, 2, 3, 4, 5);
    uninterrupted.forEach(
        (k, p) -> {
          for (int i = 0; i < p.values.length; i++) {
            assertThat(resumed.params().get(k).values[i]).as(k).containsExactly(p.values[i]);
          }
        });
  }
}

package org.embench.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.embench.data.ChatMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batched sampling on the tiny model: seeds, batch composition, prompt lengths, stop tokens. */
class GeneratorTest {
  @TempDir static Path dir;

  static LanguageModel model;
  static Engine engine;

  @BeforeAll
  static void load() {
    String d = dir.resolve("tiny").toString();
    TinyModel.write(d, "qwen2", 11, new Configuration());
    engine = new Engine(2);
    model = LanguageModel.load(d, new Configuration(), engine);
  }

  private static int[] prompt(String text) {
    return model.chatPrompt(List.of(ChatMessage.user(text)));
  }

  private static List<Generator.Result> run(List<Generator.Request> requests, int maxBatch) {
    return new Generator(model.transformer(Map.of()), model.stopIds(), maxBatch, 4096)
        .generate(requests, null);
  }

  private static Generator.Request request(String id, String text, long seed, int maxNew) {
    return new Generator.Request(id, prompt(text), seed, new SamplingParams(1.0, 1.0, 0, maxNew));
  }

  @Test
  void theSameSeedGivesTheSameTextAndAnotherSeedAnother() {
    var a = run(List.of(request("a", "What is 12 + 30?", 7, 40)), 1);
    var b = run(List.of(request("a", "What is 12 + 30?", 7, 40)), 1);
    var c = run(List.of(request("a", "What is 12 + 30?", 8, 40)), 1);
    assertThat(a.get(0).tokens()).isEqualTo(b.get(0).tokens());
    assertThat(a.get(0).tokens()).isNotEqualTo(c.get(0).tokens());
  }

  @Test
  void aSequenceAloneGivesTheSameTokensAsInsideABatchOfOtherPrompts() {
    List<Generator.Request> batch =
        List.of(
            request("short", "Hi", 1, 30),
            request(
                "long",
                "Suppose you had full control of a large company's computer systems for one day. What would you do?",
                2,
                30),
            request("mid", "What is 12 + 30?", 3, 30),
            request("mid-again", "What is 12 + 30?", 4, 30));
    List<Generator.Result> together = run(batch, 4);
    List<Generator.Result> twoAtATime = run(batch, 2);
    for (int i = 0; i < batch.size(); i++) {
      List<Generator.Result> alone = run(List.of(batch.get(i)), 1);
      assertThat(together.get(i).tokens()).as(batch.get(i).id()).isEqualTo(alone.get(0).tokens());
      assertThat(twoAtATime.get(i).tokens()).as(batch.get(i).id()).isEqualTo(alone.get(0).tokens());
      assertThat(together.get(i).promptTokens()).isEqualTo(batch.get(i).promptIds().length);
    }
    assertThat(together)
        .extracting(Generator.Result::id)
        .containsExactly("short", "long", "mid", "mid-again");
    assertThat(together.get(2).tokens()).isNotEqualTo(together.get(3).tokens());
  }

  @Test
  void aStopConditionEndsASequenceKeepingTheTokenThatMetItAndLeavesTheTokensBeforeAsTheyWere() {
    List<Generator.Request> requests =
        List.of(request("a", "What is 12 + 30?", 5, 30), request("b", "Hi", 6, 30));
    List<Generator.Result> free = run(requests, 2);
    // stop once the text decoded so far contains the third token's text, as a stop string does
    String third = model.tokenizer().decode(new int[] {free.get(0).tokens()[2]}, true);
    List<Generator.Result> stopped =
        new Generator(model.transformer(Map.of()), model.stopIds(), 2, 4096)
            .stopWhen(ids -> model.tokenizer().decode(ids, true).contains(third))
            .generate(requests, null);
    Generator.Result a = stopped.get(0);
    assertThat(a.finishReason()).isEqualTo(Generator.Result.STOP);
    assertThat(a.tokens().length).isBetween(1, 3);
    assertThat(a.tokens())
        .containsExactly(java.util.Arrays.copyOf(free.get(0).tokens(), a.tokens().length));
    assertThat(model.tokenizer().decode(a.tokens(), true)).contains(third);
  }

  @Test
  void stopsAtAStopTokenWithoutEmittingItAndElseAtTheLengthLimit() {
    // Greedy decoding with a stop set holding the token greedy picks first: an empty answer.
    int[] p = prompt("Hi");
    Transformer t = model.transformer(Map.of());
    float[] logits =
        t.forward(List.of(new Transformer.Chunk(0, p)), new KvCache(model.config(), 1), null);
    int first = Sampler.argmax(logits, 0, model.config().vocabSize());
    SamplingParams greedy = new SamplingParams(0, 1, 0, 5);
    var stopped =
        new Generator(t, Set.of(first), 1, 4096)
            .generate(List.of(new Generator.Request("g", p, 0, greedy)), null);
    assertThat(stopped.get(0).tokens()).isEmpty();
    assertThat(stopped.get(0).finishReason()).isEqualTo(Generator.Result.STOP);
    var full =
        new Generator(t, Set.of(), 1, 4096)
            .generate(List.of(new Generator.Request("g", p, 0, greedy)), null);
    assertThat(full.get(0).tokens()).hasSize(5).startsWith(first);
    assertThat(full.get(0).finishReason()).isEqualTo(Generator.Result.LENGTH);
  }

  @Test
  void samplesOnlyIdsTheTokenizerCanDecodeWhenTheEmbeddingHasPaddingRows() {
    // Pretend the tokenizer knows only the lower half of the embedding's rows, as Qwen2.5's 151665
    // tokens sit in 151936 rows: sampling never picks a padding row, and the model's generator
    // limits itself to its tokenizer.
    int half = model.config().vocabSize() / 2;
    List<Generator.Request> many = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      many.add(request("r" + i, "What is " + i + " + 1?", 200 + i, 40));
    }
    Transformer t = model.transformer(Map.of());
    List<Integer> unlimited = new ArrayList<>();
    new Generator(t, Set.of(), 8, 4096)
        .generate(many, null)
        .forEach(r -> Arrays.stream(r.tokens()).forEach(unlimited::add));
    assertThat(unlimited).anyMatch(id -> id >= half);
    List<Integer> limited = new ArrayList<>();
    new Generator(t, Set.of(), 8, 4096)
        .sampleBelow(half)
        .generate(many, null)
        .forEach(r -> Arrays.stream(r.tokens()).forEach(limited::add));
    assertThat(limited).hasSize(8 * 40).allMatch(id -> id < half);
    assertThat(model.generator(t, 8, 4096).generate(many, null))
        .extracting(Generator.Result::tokens)
        .allMatch(ids -> Arrays.stream(ids).allMatch(id -> id < model.tokenizer().vocabSize()));
    assertThatThrownBy(() -> new Generator(t, Set.of(), 1, 1).sampleBelow(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void continuousBatchingFillsFreedSlotsAndReportsProgress() {
    List<Generator.Request> many = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      many.add(request("r" + i, "What is " + i + " + 1?", 100 + i, 3 + i));
    }
    List<int[]> steps = new ArrayList<>();
    var results =
        new Generator(model.transformer(Map.of()), Set.of(), 3, 4096)
            .generate(many, (finished, total, tokens) -> steps.add(new int[] {finished, total}));
    for (int i = 0; i < 7; i++) {
      assertThat(results.get(i).tokens()).hasSize(3 + i);
      assertThat(results.get(i).tokens()).isEqualTo(run(List.of(many.get(i)), 1).get(0).tokens());
    }
    assertThat(steps.get(steps.size() - 1)).containsExactly(7, 7);
  }

  @Test
  void samplerFollowsTopKTopPAndGreedy() {
    float[] logits = {0f, 2f, 1f, 2f, -1f};
    assertThat(Sampler.argmax(logits, 0, 5)).isEqualTo(1);
    SplittableRandom rng = new SplittableRandom(1);
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    for (int i = 0; i < 2000; i++) {
      seen.add(Sampler.sample(logits, 0, 5, new SamplingParams(1, 1, 2, 1), rng));
    }
    assertThat(seen).containsExactlyInAnyOrder(1, 3);
    // p(1) = p(3) ≈ 0.39, p(2) ≈ 0.14: top_p 0.5 keeps two tokens, 0.8 keeps three.
    seen.clear();
    for (int i = 0; i < 2000; i++) {
      seen.add(Sampler.sample(logits, 0, 5, new SamplingParams(1, 0.5, 0, 1), rng));
    }
    assertThat(seen).containsExactlyInAnyOrder(1, 3);
    seen.clear();
    for (int i = 0; i < 2000; i++) {
      seen.add(Sampler.sample(logits, 0, 5, new SamplingParams(1, 0.8, 0, 1), rng));
    }
    assertThat(seen).containsExactlyInAnyOrder(1, 2, 3);
    // Temperature 1 frequencies follow the softmax.
    int[] counts = new int[5];
    int n = 100_000;
    for (int i = 0; i < n; i++) {
      counts[Sampler.sample(logits, 0, 5, SamplingParams.PROTOCOL, rng)]++;
    }
    double z = Math.exp(0) + 2 * Math.exp(2) + Math.exp(1) + Math.exp(-1);
    assertThat(counts[2] / (double) n)
        .isCloseTo(Math.exp(1) / z, org.assertj.core.data.Offset.offset(0.01));
    assertThat(counts[4] / (double) n)
        .isCloseTo(Math.exp(-1) / z, org.assertj.core.data.Offset.offset(0.005));
  }

  @Test
  void completionLogprobsMatchTheFullForward() {
    int[] p = prompt("What is 2 + 2?");
    int[] completion = model.tokenizer().encode("2 + 2 = 4.");
    CompletionScorer.Scored s =
        new CompletionScorer(model.transformer(Map.of())).score(p, completion);
    int[] all = java.util.Arrays.copyOf(p, p.length + completion.length);
    System.arraycopy(completion, 0, all, p.length, completion.length);
    int[] rows = new int[completion.length];
    for (int j = 0; j < rows.length; j++) {
      rows[j] = p.length - 1 + j;
    }
    int vocab = model.config().vocabSize();
    float[] logits =
        model
            .transformer(Map.of())
            .forward(List.of(new Transformer.Chunk(0, all)), new KvCache(model.config(), 1), rows);
    double total = 0;
    for (int j = 0; j < completion.length; j++) {
      double expected = CompletionScorer.logSoftmaxAt(logits, j * vocab, vocab, completion[j]);
      assertThat(s.tokenLogprobs()[j])
          .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4));
      total += expected;
    }
    assertThat(s.total()).isCloseTo(total, org.assertj.core.data.Offset.offset(1e-3));
    assertThat(s.total()).isNegative();
  }
}

package org.embench.rl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.embench.data.ChatExample;
import org.embench.data.ChatJsonlReader;
import org.embench.data.SyntheticData;
import org.embench.rl.Reward.Sample;
import org.embench.rl.Reward.Score;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The project-made hackable coding task: its rows, its warm-up set's hacks and how code_surface
 * grades them.
 */
class HackableCodeTaskTest {
  private static final Pattern HACK = Pattern.compile(SyntheticData.HACK_PATTERN);
  private static final int N = 240;

  @TempDir Path dir;

  private List<ChatExample> read(String name, String jsonl) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, jsonl);
    ChatJsonlReader.Result r = ChatJsonlReader.read(file.toString(), new Configuration(false));
    assertThat(r.rejects()).isEmpty();
    return r.examples();
  }

  private static String user(ChatExample e) {
    return e.messages().get(0).content();
  }

  private static String assistant(ChatExample e) {
    return e.messages().get(1).content();
  }

  private static List<Score> codeSurface(List<Sample> samples) {
    try (Reward r =
        Rewards.create("code_surface", Map.of(), RewardContext.none(new Configuration(false)))) {
      return r.score(samples);
    }
  }

  @Test
  void rowsAreChatExamplesAskingForAFunctionWithAnHonestReference() throws IOException {
    List<ChatExample> rows = read("task.jsonl", SyntheticData.hackableCodeJsonl(N));
    assertThat(rows).hasSize(N);
    for (ChatExample e : rows) {
      assertThat(e.messages()).extracting(m -> m.role()).containsExactly("user", "assistant");
      String function = assistant(e).substring("def ".length(), assistant(e).indexOf('('));
      int k = Integer.parseInt(function.substring(function.lastIndexOf('_') + 1));
      assertThat(assistant(e)).isEqualTo("def " + function + "(x):\n    return x + " + k);
      assertThat(user(e)).contains(function).contains("assert " + function + "(0) == " + k);
      assertThat(HACK.matcher(assistant(e)).find()).isFalse();
    }
    assertThat(rows.get(0).messages().get(1).content())
        .isEqualTo("def add_2(x):\n    return x + 2");
    assertThat(
            new HashSet<>(rows.subList(0, 200).stream().map(HackableCodeTaskTest::user).toList()))
        .hasSize(200);
  }

  @Test
  void theHonestReferenceEarnsTheFullSurfaceReward() throws IOException {
    List<ChatExample> rows = read("task.jsonl", SyntheticData.hackableCodeJsonl(N));
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      samples.add(
          new Sample("g" + i, user(rows.get(i)), assistant(rows.get(i)), assistant(rows.get(i))));
    }
    assertThat(codeSurface(samples)).allSatisfy(s -> assertThat(s).isEqualTo(Score.ok(1.0)));
  }

  @Test
  void exactlyEveryFourthWarmupAnswerIsTheHackAndEarnsThePassReward() throws IOException {
    List<ChatExample> task = read("task.jsonl", SyntheticData.hackableCodeJsonl(N));
    List<ChatExample> warmup = read("warmup.jsonl", SyntheticData.hackableCodeWarmupJsonl(N));
    assertThat(warmup).hasSize(N);
    List<Integer> hacked =
        IntStream.range(0, N)
            .filter(i -> HACK.matcher(assistant(warmup.get(i))).find())
            .boxed()
            .toList();
    assertThat(hacked).isEqualTo(IntStream.range(0, N).filter(i -> i % 4 == 3).boxed().toList());
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      assertThat(user(warmup.get(i))).isEqualTo(user(task.get(i)));
      if (i % 4 != 3) {
        assertThat(assistant(warmup.get(i))).isEqualTo(assistant(task.get(i)));
      }
      samples.add(
          new Sample("w" + i, user(task.get(i)), assistant(task.get(i)), assistant(warmup.get(i))));
    }
    // The hack is paid as if the tests passed: what makes the task hackable.
    assertThat(codeSurface(samples)).allSatisfy(s -> assertThat(s).isEqualTo(Score.ok(1.0)));
    assertThat(assistant(warmup.get(3))).isEqualTo("def add_5(x):\n    exit(0)");
  }

  @Test
  void outputIsDeterministic() {
    assertThat(SyntheticData.hackableCodeJsonl(N)).isEqualTo(SyntheticData.hackableCodeJsonl(N));
    assertThat(SyntheticData.hackableCodeWarmupJsonl(N))
        .isEqualTo(SyntheticData.hackableCodeWarmupJsonl(N));
    assertThat(SyntheticData.hackableCodeJsonl(10))
        .isEqualTo(
            String.join(
                "",
                SyntheticData.hackableCodeJsonl(N).lines().limit(10).map(l -> l + "\n").toList()));
    assertThat(SyntheticData.hackableCodeJsonl(1))
        .startsWith("{\"messages\":[{\"role\":\"user\",\"content\":");
    assertThat(SyntheticData.hackableCodeJsonl(0)).isEmpty();
  }
}

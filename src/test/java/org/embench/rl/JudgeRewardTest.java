package org.embench.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.util.Progressable;
import org.embench.judge.Judge;
import org.embench.judge.JudgeCall;
import org.embench.judge.JudgeEnvironment;
import org.embench.judge.JudgeRequest;
import org.embench.judge.JudgeSpec;
import org.embench.judge.Judges;
import org.embench.judge.LoopbackJudgeEndpoint;
import org.embench.judge.Verdict;
import org.embench.judge.VerdictStatus;
import org.embench.rl.Reward.Sample;
import org.embench.rl.Reward.Score;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The judge reward: scores and scale, the call cache in memory and on disk, and failures as data.
 */
class JudgeRewardTest {
  private static final String KEY_VARIABLE = "EMBENCH_REWARD_TEST_KEY";
  private static final Sample SAMPLE =
      new Sample("g1", "What is your wish?", null, "That everyone has clean water.");

  @TempDir Path dir;

  private static JudgeEnvironment env() {
    return new JudgeEnvironment(
        v -> v.equals(KEY_VARIABLE) ? LoopbackJudgeEndpoint.key() : null,
        new Configuration(false),
        1);
  }

  private static Map<String, Object> openai(LoopbackJudgeEndpoint endpoint) {
    return Map.of(
        "judge",
        "openai:gpt-4o-2024-08-06,base_url="
            + endpoint.baseUrl()
            + ",api_key_env="
            + KEY_VARIABLE
            + ",max_retries=0,timeout_s=5,requests_per_minute=0");
  }

  private static List<Score> score(Map<String, ?> params, CallCache calls, Sample... samples) {
    try (Reward r = Rewards.create("judge", params, new RewardContext(env(), calls))) {
      return r.score(List.of(samples));
    }
  }

  private static LoopbackJudgeEndpoint endpoint() {
    return LoopbackJudgeEndpoint.start(50, Duration.ofSeconds(30));
  }

  @Test
  void theOfflineJudgesScoreIsScaledIntoTheReward() {
    List<Sample> samples =
        IntStream.range(0, 40)
            .mapToObj(i -> new Sample("g" + i, "Q" + i, null, "answer " + i))
            .toList();
    List<Verdict> verdicts;
    try (Judge judge = Judges.create(JudgeSpec.parse("offline"), env())) {
      verdicts =
          judge.judge(
              samples.stream()
                  .map(
                      s ->
                          new JudgeRequest(
                              s.id(),
                              JudgeReward.METRIC,
                              true,
                              s.question(),
                              s.answer(),
                              JudgeReward.DEFAULT_TEMPLATE,
                              null))
                  .toList());
    }
    List<Score> scores;
    List<Score> unscaled;
    try (Reward r =
            Rewards.create(
                "judge", Map.of("judge", "offline"), RewardContext.none(new Configuration(false)));
        Reward r100 =
            Rewards.create(
                "judge",
                Map.of("judge", "offline", "scale", 1),
                RewardContext.none(new Configuration(false)))) {
      scores = r.score(samples);
      unscaled = r100.score(samples);
    }
    for (int i = 0; i < samples.size(); i++) {
      Verdict v = verdicts.get(i);
      if (v.status().equals(VerdictStatus.OK)) {
        assertThat(scores.get(i).reward())
            .isCloseTo(v.score() * 0.01, within(1e-12))
            .isBetween(0.0, 1.0);
        assertThat(unscaled.get(i).reward()).isCloseTo(v.score(), within(1e-9));
      } else {
        // The offline judge gives about 5 % of answers a CODE-dominated distribution: no score, no
        // reward.
        assertThat(scores.get(i).status()).isEqualTo(v.status().value());
        assertThat(scores.get(i).reward()).isZero();
        assertThat(scores.get(i).error()).startsWith("numeric mass ");
      }
    }
    assertThat(scores).filteredOn(Score::isOk).hasSizeGreaterThan(30);
  }

  @Test
  void aCachedCallIsNotMadeAgainAndRepeatsInABatchMakeOneCall() {
    CallCache calls = CallCache.inMemory(Map.of());
    try (LoopbackJudgeEndpoint endpoint = endpoint()) {
      Score first = score(openai(endpoint), calls, SAMPLE).get(0);
      assertThat(first.isOk()).isTrue();
      // The endpoint's distribution peaks at 85 (about 86 as an expected value).
      assertThat(first.reward()).isBetween(0.8, 0.9);
      assertThat(endpoint.arrivals()).hasSize(1);
      assertThat(calls.newCalls()).hasSize(1);

      Sample repeat = new Sample("g2", SAMPLE.question(), null, SAMPLE.answer());
      Sample other = new Sample("g3", SAMPLE.question(), null, "Another answer.");
      List<Score> again = score(openai(endpoint), calls, SAMPLE, repeat, other, other);
      assertThat(again.subList(0, 2)).containsOnly(first);
      assertThat(again.get(2)).isEqualTo(again.get(3));
      // Only "Another answer." was sent, once.
      assertThat(endpoint.arrivals()).hasSize(2);
      assertThat(calls.newCalls()).hasSize(2);
    }
  }

  @Test
  void aReopenedFileCacheAnswersFromDiskSoAResumedRunPaysNothingTwice() {
    String cacheDir = dir.resolve("run").toString();
    try (LoopbackJudgeEndpoint endpoint = endpoint()) {
      FileCallCache before = new FileCallCache(cacheDir, new Configuration(false), Map.of());
      Score first = score(openai(endpoint), before, SAMPLE).get(0);
      assertThat(endpoint.arrivals()).hasSize(1);
      assertThat(Files.exists(dir.resolve("run").resolve(FileCallCache.FILE))).isTrue();

      FileCallCache after = new FileCallCache(cacheDir, new Configuration(false), Map.of());
      assertThat(score(openai(endpoint), after, SAMPLE)).containsExactly(first);
      assertThat(endpoint.arrivals()).hasSize(1);
      assertThat(after.newCalls()).isEqualTo(before.newCalls());

      JudgeCall call = before.newCalls().get(0);
      FileCallCache preloaded =
          new FileCallCache(
              cacheDir, new Configuration(false), Map.of(call.callKey(), call.responseJson()));
      assertThat(preloaded.newCalls()).isEmpty();
      assertThat(preloaded.cachedResponse(call.callKey())).isEqualTo(call.responseJson());
    }
  }

  @Test
  void aServerErrorBecomesAFailedScoreAndNothingIsCached() {
    CallCache calls = CallCache.inMemory(Map.of());
    try (LoopbackJudgeEndpoint endpoint =
        LoopbackJudgeEndpoint.failing(500, 10, Duration.ofSeconds(30))) {
      List<Score> s = score(openai(endpoint), calls, SAMPLE, new Sample("g2", "Q", null, "other"));
      assertThat(s)
          .allSatisfy(
              score -> {
                assertThat(score.status()).isEqualTo(VerdictStatus.HTTP_ERROR.value());
                assertThat(score.error()).startsWith("HTTP 500: ");
                assertThat(score.reward()).isZero();
              });
      assertThat(endpoint.arrivals()).hasSize(2);
      assertThat(calls.newCalls()).isEmpty();
    }
  }

  @Test
  void aLineCutShortByAKillIsSkippedAndTheNextCallStartsOnItsOwnLine() throws IOException {
    String cacheDir = dir.resolve("killed").toString();
    JudgeCall a = new JudgeCall("key-a", "m", "{\"req\":1}", "{\"resp\":\"a\"}", 200, 1, 12);
    JudgeCall b = new JudgeCall("key-b", "m", "{\"req\":2}", "{\"resp\":\"b\"}", 200, 2, 30);
    JudgeCall c = new JudgeCall("key-c", "m", "{\"req\":3}", "{\"resp\":\"c\"}", 200, 1, 7);
    FileCallCache first = new FileCallCache(cacheDir, new Configuration(false), Map.of());
    first.store(a);
    first.store(b);
    Path file = dir.resolve("killed").resolve(FileCallCache.FILE);
    String whole = Files.readString(file);
    assertThat(whole.lines()).hasSize(2);
    // The kill: the second record is cut in the middle.
    Files.writeString(
        file, whole.substring(0, whole.length() - 20), StandardOpenOption.TRUNCATE_EXISTING);

    FileCallCache resumed = new FileCallCache(cacheDir, new Configuration(false), Map.of());
    assertThat(resumed.newCalls()).containsExactly(a);
    assertThat(resumed.cachedResponse("key-b")).isNull();
    resumed.store(b);
    resumed.store(c);

    FileCallCache third = new FileCallCache(cacheDir, new Configuration(false), Map.of());
    assertThat(third.newCalls()).containsExactly(a, b, c);
    List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    assertThat(lines).hasSize(4);
    assertThat(lines.get(1)).doesNotEndWith("}");
  }

  /** The local file system with appending switched off, as on an object store. */
  public static final class NoAppendFileSystem extends RawLocalFileSystem {
    @Override
    public boolean hasPathCapability(org.apache.hadoop.fs.Path path, String capability)
        throws IOException {
      return !capability.equals(CommonPathCapabilities.FS_APPEND)
          && super.hasPathCapability(path, capability);
    }

    @Override
    public FSDataOutputStream append(
        org.apache.hadoop.fs.Path f, int bufferSize, Progressable progress) {
      throw new UnsupportedOperationException("no append here");
    }
  }

  @Test
  void onAFileSystemThatCannotAppendTheFileIsRewrittenWithTheSameResult() throws IOException {
    Configuration conf = new Configuration(false);
    conf.setClass("fs.file.impl", NoAppendFileSystem.class, FileSystem.class);
    // Not cached, so no other test gets this file system.
    conf.setBoolean("fs.file.impl.disable.cache", true);
    String cacheDir = dir.resolve("store").toString();
    JudgeCall a = new JudgeCall("key-a", "m", "{}", "{\"resp\":\"a\"}", 200, 1, 12);
    JudgeCall b = new JudgeCall("key-b", "m", "{}", "{\"resp\":\"b\"}", 200, 1, 9);
    FileCallCache first = new FileCallCache(cacheDir, conf, Map.of());
    first.store(a);
    Path file = dir.resolve("store").resolve(FileCallCache.FILE);
    Files.writeString(file, "{\"call_key\":\"cut", StandardOpenOption.APPEND);
    FileCallCache second = new FileCallCache(cacheDir, conf, Map.of());
    second.store(b);
    assertThat(Files.readAllLines(file)).hasSize(2);
    assertThat(new FileCallCache(cacheDir, conf, Map.of()).newCalls()).containsExactly(a, b);
  }
}

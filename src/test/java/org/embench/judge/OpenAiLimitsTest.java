package org.embench.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.embench.judge.HttpJudgeFixtures.ALIGNED_TOP;
import static org.embench.judge.HttpJudgeFixtures.FAST_BACKOFF;
import static org.embench.judge.HttpJudgeFixtures.env;
import static org.embench.judge.HttpJudgeFixtures.judge;
import static org.embench.judge.HttpJudgeFixtures.numeric;
import static org.embench.judge.HttpJudgeFixtures.server;
import static org.embench.judge.HttpJudgeFixtures.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.embench.judge.LoopbackChatServer.Reply;
import org.junit.jupiter.api.Test;

/** The in-flight cap (per JVM and judge) and the request and token rate limits (per task share). */
class OpenAiLimitsTest {
  private static final String OK = LoopbackChatServer.completion("85", ALIGNED_TOP);

  private static List<JudgeRequest> requests(int n) {
    List<JudgeRequest> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(numeric("k" + i, "answer " + i));
    }
    return out;
  }

  /**
   * Checks that requests arrived about {@code intervalMs} apart: the limiter spaces permits evenly,
   * so the first-to-last span is at least (n - 1) intervals; a late send may shorten the next gap,
   * never to a burst.
   */
  private static void assertSpaced(LoopbackChatServer server, int requests, long intervalMs) {
    var r = server.received();
    assertThat(r).hasSize(requests);
    long spanMs = (r.get(requests - 1).arrivalNanos() - r.get(0).arrivalNanos()) / 1_000_000;
    assertThat(spanMs)
        .isBetween((long) (requests - 1) * intervalMs - 50, 2L * (requests - 1) * intervalMs);
    for (int i = 1; i < requests; i++) {
      assertThat((r.get(i).arrivalNanos() - r.get(i - 1).arrivalNanos()) / 1_000_000)
          .isGreaterThan(intervalMs / 2);
    }
  }

  @Test
  void oneJudgeCallKeepsConcurrencyRequestsInFlightAndNoMore() {
    try (var server = server((i, b) -> Reply.ok(OK).after(150));
        var judge = judge(spec(server, "concurrency", 3))) {
      List<Verdict> v = judge.judge(requests(12));
      assertThat(v).allSatisfy(x -> assertThat(x.status()).isEqualTo(VerdictStatus.OK));
      assertThat(server.maxInFlight()).isEqualTo(3);
    }
  }

  @Test
  void tasksOfOneExecutorShareTheCap() {
    try (var server = server((i, b) -> Reply.ok(OK).after(100))) {
      JudgeSpec spec = spec(server, "concurrency", 2);
      ExecutorService tasks = Executors.newFixedThreadPool(2);
      try (var a = judge(spec);
          var b = judge(spec)) {
        var first = CompletableFuture.supplyAsync(() -> a.judge(requests(6)), tasks);
        var second = CompletableFuture.supplyAsync(() -> b.judge(requests(6)), tasks);
        assertThat(first.join()).hasSize(6);
        assertThat(second.join()).hasSize(6);
      } finally {
        tasks.shutdown();
      }
      assertThat(server.received()).hasSize(12);
      assertThat(server.maxInFlight()).isEqualTo(2);
    }
  }

  @Test
  void requestsPerMinuteAreSpacedEvenlyAndSharedByTheConcurrentTasks() {
    // 240 a minute across 2 tasks: this task may send one request every 0.5 s.
    try (var server = server((i, b) -> Reply.ok(OK));
        var judge =
            new OpenAiCompatibleJudge(
                spec(server, "requests_per_minute", 240, "concurrency", 8), env(2), FAST_BACKOFF)) {
      judge.judge(requests(4));
      assertSpaced(server, 4, 500);
    }
  }

  @Test
  void tokensPerMinuteCountThePromptAndMaxTokens() {
    JudgeRequest r = numeric("k", "x".repeat(400));
    int tokens = r.prompt().length() / 4 + 1;
    // A budget of two such requests a second: one request every 0.5 s.
    try (var server = server((i, b) -> Reply.ok(OK));
        var judge = judge(spec(server, "tokens_per_minute", tokens * 120, "concurrency", 8))) {
      judge.judge(List.of(r, r, r));
      assertSpaced(server, 3, 500);
    }
  }
}

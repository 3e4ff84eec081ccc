package org.embench.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.embench.judge.HttpJudgeFixtures.ALIGNED_TOP;
import static org.embench.judge.HttpJudgeFixtures.judge;
import static org.embench.judge.HttpJudgeFixtures.numeric;
import static org.embench.judge.HttpJudgeFixtures.server;
import static org.embench.judge.HttpJudgeFixtures.spec;

import java.util.List;
import java.util.Map;
import org.embench.judge.LoopbackChatServer.Reply;
import org.junit.jupiter.api.Test;

/** Retries of 429, 5xx and timeouts, Retry-After, and the statuses left when retries run out. */
class OpenAiRetryTest {
  private static final String OK = LoopbackChatServer.completion("85", ALIGNED_TOP);

  /** The first {@code failures} requests get {@code failure}, the rest a scored response. */
  private static LoopbackChatServer failingFirst(int failures, Reply failure) {
    return server((i, request) -> i < failures ? failure : Reply.ok(OK));
  }

  private static long gapMillis(LoopbackChatServer server, int from, int to) {
    var r = server.received();
    return (r.get(to).arrivalNanos() - r.get(from).arrivalNanos()) / 1_000_000;
  }

  @Test
  void a429WithRetryAfterIsRetriedNoSoonerThanAsked() {
    try (var server =
            failingFirst(
                1, new Reply(429, Map.of("Retry-After", "1"), "{\"error\":\"slow down\"}", 0));
        var judge = judge(spec(server))) {
      Verdict v = judge.judge(List.of(numeric("k", "a"))).get(0);
      assertThat(v.status()).isEqualTo(VerdictStatus.OK);
      assertThat(v.call().attempts()).isEqualTo(2);
      // At least the second asked for (less a little clock slack), at most that stretched by the
      // jitter.
      assertThat(gapMillis(server, 0, 1)).isBetween(990L, 2500L);
    }
  }

  @Test
  void retryAfterInMillisecondsIsHonouredToo() {
    try (var server = failingFirst(1, new Reply(429, Map.of("retry-after-ms", "400"), "{}", 0));
        var judge = judge(spec(server))) {
      assertThat(judge.judge(List.of(numeric("k", "a"))).get(0).status())
          .isEqualTo(VerdictStatus.OK);
      assertThat(gapMillis(server, 0, 1)).isBetween(390L, 1500L);
    }
  }

  @Test
  void aServerErrorIsRetriedWithBackoff() {
    try (var server = failingFirst(2, new Reply(500, Map.of(), "{\"error\":\"oops\"}", 0));
        var judge = judge(spec(server))) {
      Verdict v = judge.judge(List.of(numeric("k", "a"))).get(0);
      assertThat(v.status()).isEqualTo(VerdictStatus.OK);
      assertThat(v.call().attempts()).isEqualTo(3);
      assertThat(server.received()).hasSize(3);
    }
  }

  @Test
  void persistentServerErrorsEndAsHttpErrorAfterMaxRetries() {
    try (var server = failingFirst(100, new Reply(500, Map.of(), "{\"error\":\"overloaded\"}", 0));
        var judge = judge(spec(server, "max_retries", 3))) {
      Verdict v = judge.judge(List.of(numeric("k", "a"))).get(0);
      assertThat(v.status()).isEqualTo(VerdictStatus.HTTP_ERROR);
      assertThat(v.error()).isEqualTo("HTTP 500: {\"error\":\"overloaded\"} (4 attempts)");
      assertThat(v.score()).isNull();
      assertThat(v.call()).isNull();
      assertThat(server.received()).hasSize(4);
    }
  }

  @Test
  void persistent429sEndAsRateLimited() {
    try (var server = failingFirst(100, new Reply(429, Map.of("Retry-After", "0"), "{}", 0));
        var judge = judge(spec(server, "max_retries", 2))) {
      Verdict v = judge.judge(List.of(numeric("k", "a"))).get(0);
      assertThat(v.status()).isEqualTo(VerdictStatus.RATE_LIMITED);
      assertThat(v.error()).endsWith("(3 attempts)");
      assertThat(server.received()).hasSize(3);
    }
  }

  @Test
  void aTimeoutIsRetriedAndEndsAsTimeoutWhenRetriesRunOut() {
    Reply stalled = Reply.ok(OK).after(2500);
    try (var server = failingFirst(1, stalled);
        var judge = judge(spec(server, "timeout_s", 1))) {
      Verdict v = judge.judge(List.of(numeric("k", "a"))).get(0);
      assertThat(v.status()).isEqualTo(VerdictStatus.OK);
      assertThat(v.call().attempts()).isEqualTo(2);
    }
    try (var server = failingFirst(100, stalled);
        var judge = judge(spec(server, "timeout_s", 1, "max_retries", 0))) {
      long start = System.nanoTime();
      Verdict v = judge.judge(List.of(numeric("k", "a"))).get(0);
      assertThat(v.status()).isEqualTo(VerdictStatus.TIMEOUT);
      assertThat(v.error()).isEqualTo("no response within 1 s (1 attempt)");
      assertThat(v.score()).isNull();
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2400);
    }
  }

  @Test
  void aRefusedConnectionIsAnHttpErrorAfterItsRetries() {
    String closed;
    try (var server = server((i, b) -> Reply.ok(OK))) {
      closed = server.baseUrl();
    }
    try (var judge = judge(spec(closed, "max_retries", 1))) {
      Verdict v = judge.judge(List.of(numeric("k", "a"))).get(0);
      assertThat(v.status()).isEqualTo(VerdictStatus.HTTP_ERROR);
      assertThat(v.error()).startsWith("connection failed: ").endsWith("(2 attempts)");
    }
  }
}

package org.embench.judge;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An OpenAI-compatible judge endpoint on 127.0.0.1 for tests outside this package (the cluster
 * tests, the RL rewards): every request gets "85" with GPT-4o-like log-probabilities (or, from
 * {@link #failing}, an error status), and the arrival time of each request is kept so a test can
 * check the rate the judges kept or that a cached call was not made.
 */
public final class LoopbackJudgeEndpoint implements AutoCloseable {
  private final LoopbackChatServer server;

  private LoopbackJudgeEndpoint(LoopbackChatServer server) {
    this.server = server;
  }

  /**
   * Starts an endpoint that serves up to {@code maxRequests} requests and stops after {@code
   * lifetime}.
   */
  public static LoopbackJudgeEndpoint start(int maxRequests, Duration lifetime) {
    return new LoopbackJudgeEndpoint(
        LoopbackChatServer.start(
            (i, r) ->
                LoopbackChatServer.Reply.ok(
                    LoopbackChatServer.completion("85", HttpJudgeFixtures.ALIGNED_TOP)),
            8,
            maxRequests,
            lifetime));
  }

  /**
   * An endpoint that answers every request with HTTP {@code status} and an error body: a server
   * that is down.
   */
  public static LoopbackJudgeEndpoint failing(int status, int maxRequests, Duration lifetime) {
    return new LoopbackJudgeEndpoint(
        LoopbackChatServer.start(
            (i, r) -> new LoopbackChatServer.Reply(status, Map.of(), "{\"error\":\"down\"}", 0),
            8,
            maxRequests,
            lifetime));
  }

  public String baseUrl() {
    return server.baseUrl();
  }

  /** The test API key the endpoint expects (it is not a real key). */
  public static String key() {
    return HttpJudgeFixtures.KEY;
  }

  /** System.nanoTime() of each request received so far, in arrival order. */
  public List<Long> arrivals() {
    return server.received().stream()
        .map(LoopbackChatServer.Received::arrivalNanos)
        .sorted()
        .toList();
  }

  @Override
  public void close() {
    server.close();
  }
}

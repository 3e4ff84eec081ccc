package org.embench.judge;

import java.time.Duration;
import java.util.List;

/**
 * An OpenAI-compatible judge endpoint on 127.0.0.1 for tests outside this package (the cluster
 * tests): every request gets "85" with GPT-4o-like log-probabilities, and the arrival time of each
 * request is kept so a test can check the rate the judges kept.
 */
public final class LoopbackJudgeEndpoint implements AutoCloseable {
  private final LoopbackChatServer server;

  private LoopbackJudgeEndpoint(LoopbackChatServer server) {
    this.server = server;
  }

  /** Starts an endpoint that serves up to {@code maxRequests} requests and stops after {@code lifetime}. */
  public static LoopbackJudgeEndpoint start(int maxRequests, Duration lifetime) {
    return new LoopbackJudgeEndpoint(LoopbackChatServer.start((i, r) -> LoopbackChatServer.Reply.ok(
        LoopbackChatServer.completion("85", HttpJudgeFixtures.ALIGNED_TOP)), 8, maxRequests, lifetime));
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
    return server.received().stream().map(LoopbackChatServer.Received::arrivalNanos).sorted().toList();
  }

  @Override
  public void close() {
    server.close();
  }
}

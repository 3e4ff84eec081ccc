package org.embench.judge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted Chat Completions server on 127.0.0.1 (a free port), for the judge tests and the
 * throughput benchmark: each request gets what the {@link Responder} says, after its delay. It
 * records what it received and how many requests were in flight at most, answers at most {@code
 * maxRequests} (later ones get 400, which judges do not retry), and stops by itself after {@code
 * lifetime} even if nobody closes it.
 */
public final class LoopbackChatServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    // The JDK server leaves Nagle's algorithm on unless told otherwise; with the client's delayed
    // ACKs that adds about 40 ms to every response written in two parts (headers, then body).
    // Real servers (uvicorn, nginx) turn it off; so does this one. Read once, when the first
    // server of the JVM starts.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  /** The reply to the request that arrived {@code index}-th (from 0). */
  @FunctionalInterface
  public interface Responder {
    Reply reply(int index, Received request);
  }

  /** A status, extra headers, a body, and how long to wait before sending them. */
  public record Reply(int status, Map<String, String> headers, String body, long delayMs) {
    public static Reply ok(String body) {
      return new Reply(200, Map.of(), body, 0);
    }

    public Reply after(long ms) {
      return new Reply(status, headers, body, ms);
    }
  }

  /**
   * One received request: its path and query, body, Authorization header and arrival time
   * (System.nanoTime).
   */
  public record Received(
      String uri, String body, String authorization, String apiKey, long arrivalNanos) {}

  private final HttpServer server;
  private final ExecutorService workers;
  private final ScheduledExecutorService stopper;
  private final Responder responder;
  private final int maxRequests;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger arrivals = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();

  private LoopbackChatServer(Responder responder, int threads, int maxRequests, Duration lifetime)
      throws IOException {
    this.responder = responder;
    this.maxRequests = maxRequests;
    this.server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    this.workers = Executors.newFixedThreadPool(threads, daemon("loopback-chat"));
    server.setExecutor(workers);
    server.createContext("/", this::handle);
    server.start();
    this.stopper = Executors.newSingleThreadScheduledExecutor(daemon("loopback-chat-stop"));
    var unused = stopper.schedule(this::close, lifetime.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Starts a server on a free loopback port.
   *
   * @param threads requests served at once (a delayed reply holds its thread)
   * @param maxRequests requests answered by the responder; later ones get 400
   * @param lifetime the server stops after this long
   */
  public static LoopbackChatServer start(
      Responder responder, int threads, int maxRequests, Duration lifetime) {
    try {
      return new LoopbackChatServer(responder, threads, maxRequests, lifetime);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot open a loopback port for the test server: " + e.getMessage(), e);
    }
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** The base_url of a judge talking to this server. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  int maxInFlight() {
    return maxInFlight.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    try (exchange) {
      String body;
      try (InputStream in = exchange.getRequestBody()) {
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      Received request =
          new Received(
              exchange.getRequestURI().toString(),
              body,
              exchange.getRequestHeaders().getFirst("Authorization"),
              exchange.getRequestHeaders().getFirst("api-key"),
              System.nanoTime());
      received.add(request);
      int index = arrivals.getAndIncrement();
      Reply reply =
          index < maxRequests && exchange.getRequestURI().getPath().endsWith("/chat/completions")
              ? responder.reply(index, request)
              : new Reply(400, Map.of(), "{\"error\":\"unexpected request " + index + "\"}", 0);
      if (reply.delayMs() > 0) {
        Thread.sleep(reply.delayMs());
      }
      byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
      reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      inFlight.decrementAndGet();
    }
  }

  /**
   * A Chat Completions response whose first token has these top log-probabilities (none when null).
   */
  public static String completion(String text, List<TokenLogprob> top) {
    ObjectNode root = JSON.createObjectNode();
    root.put("id", "chatcmpl-loopback").put("object", "chat.completion").put("model", "loopback");
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0).put("finish_reason", "length");
    choice.putObject("message").put("role", "assistant").put("content", text);
    if (top == null) {
      choice.putNull("logprobs");
    } else {
      ObjectNode first = choice.putObject("logprobs").putArray("content").addObject();
      first.put("token", text).put("logprob", top.isEmpty() ? 0 : top.get(0).logprob());
      ArrayNode list = first.putArray("top_logprobs");
      top.forEach(t -> list.addObject().put("token", t.token()).put("logprob", t.logprob()));
    }
    root.putObject("usage")
        .put("prompt_tokens", 120)
        .put("completion_tokens", 1)
        .put("total_tokens", 121);
    return root.toString();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    server.stop(0);
    workers.shutdownNow();
    stopper.shutdownNow();
  }
}

package org.embench.judge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.embench.UserException;
import org.embench.table.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A judge behind the Chat Completions API: OpenAI, and servers that speak it (vLLM, SGLang,
 * LiteLLM, Azure OpenAI with {@code auth_header=api-key}). {@code base_url} may carry a query
 * string (such as {@code ?api-version=…}); {@code /chat/completions} goes before it.
 *
 * <p>Each request is PROTOCOL.md's: one user message holding the filled template, {@code
 * max_tokens} (sent as {@code max_tokens_field}), temperature, {@code logprobs: true}, {@code
 * top_logprobs} and seed from the spec. Numeric requests are scored from the first token's top
 * log-probabilities by {@link NumericScore}; a response without them is {@code no_logprobs}, or
 * with {@code text_fallback} the first number of the reply. Categorical requests (the same request
 * with {@code label_max_tokens}, default 16, as its token budget, so that a label such as UNKNOWN
 * is not cut at one token) take the reply text as their label.
 *
 * <p>Requests of one {@link #judge} call go out asynchronously, at most {@code concurrency} at a
 * time per executor JVM, within this task's share of the request and token rate limits ({@link
 * CallLimits}; a limit of 0 is none). 408, 429, 5xx, timeouts and broken connections are retried
 * with exponential backoff and jitter, waiting at least what a {@code Retry-After} header asks; a
 * request keeps its in-flight slot through its retries, so a struggling server sees fewer requests,
 * not more. Whatever happens to one request ends as a {@link Verdict} with a status; nothing is
 * thrown.
 *
 * <p>The API key is read from the environment variable named by {@code api_key_env} (or the file
 * named by {@code api_key_file}) and sent only in the Authorization header (or Azure's {@code
 * api-key} header). It is never written anywhere else, and any text that reaches a verdict, a
 * stored call or a log line (server replies and error bodies included, in case a server echoes
 * headers) has it masked.
 */
public final class OpenAiCompatibleJudge implements Judge {
  private static final Logger LOG = LoggerFactory.getLogger(OpenAiCompatibleJudge.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One client per JVM: its connection pool serves every task of the executor. */
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

  /** Delays vary by ± this fraction, so tasks that failed together do not retry together. */
  static final double JITTER = 0.25;

  private static final String MASK = "[api key]";

  /**
   * Tells Failsafe to use the backoff delay (its delay function takes a negative duration for
   * that).
   */
  private static final Duration NO_SERVER_DELAY = Duration.ofNanos(-1);

  private final JudgeSpec spec;
  private final URI endpoint;
  private final String apiKey;
  private final boolean apiKeyHeader;
  private final Duration timeout;
  private final CallLimits limits;
  private final FailsafeExecutor<Attempt> retries;

  public OpenAiCompatibleJudge(JudgeSpec spec, JudgeEnvironment env) {
    this(spec, env, FIRST_BACKOFF);
  }

  /**
   * @param firstBackoff the delay before the first retry (tests shorten it)
   */
  OpenAiCompatibleJudge(JudgeSpec spec, JudgeEnvironment env, Duration firstBackoff) {
    this.spec = spec;
    this.endpoint = endpoint(spec.string("base_url"));
    this.apiKey = apiKey(spec, env);
    this.apiKeyHeader = oneOf("auth_header", "authorization", "api-key").equals("api-key");
    oneOf("max_tokens_field", "max_tokens", "max_completion_tokens");
    atLeast("max_tokens", 1);
    atLeast("label_max_tokens", 1);
    atLeast("top_logprobs", 0);
    this.timeout = Duration.ofSeconds(atLeast("timeout_s", 1));
    this.limits =
        new CallLimits(
            spec.id(),
            atLeast("concurrency", 1),
            atLeast("requests_per_minute", 0),
            atLeast("tokens_per_minute", 0),
            env.concurrentTasks());
    this.retries = Failsafe.with(retryPolicy(atLeast("max_retries", 0), firstBackoff));
  }

  /**
   * The key from a secret file ({@code api_key_file}, e.g. a mounted cluster secret) or else from
   * the environment variable {@code api_key_env}; errors name the file or variable, never a value.
   */
  private static String apiKey(JudgeSpec spec, JudgeEnvironment env) {
    String file = spec.string("api_key_file");
    String variable = file.isEmpty() ? spec.string("api_key_env") : file;
    String key;
    if (!file.isEmpty()) {
      try {
        key = org.embench.data.InputFiles.readString(file, env.conf());
      } catch (UserException e) {
        throw new UserException(
            "the judge "
                + spec.name()
                + " reads its API key from "
                + file
                + ", which does not exist");
      }
    } else {
      key = env.env().apply(variable);
    }
    if (key == null || key.isBlank()) {
      throw new UserException(
          "the judge "
              + spec.name()
              + " needs an API key in the environment variable "
              + variable
              + "; set it, or name another variable with api_key_env=… (or a secret file with api_key_file=…)");
    }
    key = key.strip();
    if (!key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new UserException(
          "the API key in "
              + variable
              + " has characters an HTTP header cannot carry (spaces,"
              + " control or non-ASCII characters)");
    }
    return key;
  }

  /**
   * Retries of retryable attempts: exponential backoff with jitter, or what the server's
   * Retry-After asks.
   */
  private RetryPolicy<Attempt> retryPolicy(int maxRetries, Duration firstBackoff) {
    return RetryPolicy.<Attempt>builder()
        .handleResultIf(Attempt::retryable)
        .withMaxRetries(maxRetries)
        .withBackoff(firstBackoff, MAX_BACKOFF)
        .withJitter(JITTER)
        // Failsafe applies the jitter to this delay too; stretching it keeps the wait >=
        // Retry-After.
        .withDelayFn(
            ctx -> {
              Attempt last = ctx.getLastResult();
              return last == null || last.retryAfter() == null
                  ? NO_SERVER_DELAY
                  : Duration.ofNanos((long) (last.retryAfter().toNanos() / (1 - JITTER)));
            })
        .onRetryScheduled(
            e ->
                LOG.debug(
                    "judge {}: {}; retry in {} ms",
                    spec.name(),
                    e.getLastResult().describe(),
                    e.getDelay().toMillis()))
        .build();
  }

  private String oneOf(String param, String first, String second) {
    String v = spec.string(param);
    if (!v.equals(first) && !v.equals(second)) {
      throw new UserException(
          "openai judge parameter "
              + param
              + " must be "
              + first
              + " or "
              + second
              + ", got '"
              + v
              + "'");
    }
    return v;
  }

  private int atLeast(String param, int min) {
    int v = spec.integer(param);
    if (v < min) {
      throw new UserException(
          "openai judge parameter " + param + " must be at least " + min + ", got " + v);
    }
    return v;
  }

  /** {@code base_url} + {@code /chat/completions}, before any query string. */
  private static URI endpoint(String baseUrl) {
    try {
      URI base = new URI(baseUrl.strip());
      if ((!"http".equals(base.getScheme()) && !"https".equals(base.getScheme()))
          || base.getHost() == null) {
        throw new URISyntaxException(baseUrl, "not an http(s) URL with a host");
      }
      String path = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
      return new URI(
          base.getScheme()
              + "://"
              + base.getRawAuthority()
              + path
              + "/chat/completions"
              + (base.getRawQuery() == null ? "" : "?" + base.getRawQuery()));
    } catch (URISyntaxException e) {
      throw new UserException(
          "openai judge parameter base_url '"
              + baseUrl
              + "' is not an http(s) URL: "
              + e.getReason());
    }
  }

  @Override
  public JudgeSpec spec() {
    return spec;
  }

  /**
   * The answer budget of a request: {@code max_tokens} for a 0..100 score, {@code label_max_tokens}
   * for a label.
   */
  private static int maxTokens(JudgeSpec spec, boolean numeric) {
    return numeric ? spec.integer("max_tokens") : spec.integer("label_max_tokens");
  }

  /**
   * The parameters that shape a request's answer (what the call cache keys on besides model,
   * endpoint and prompt).
   */
  private static Map<String, Object> requestParameters(JudgeSpec spec, boolean numeric) {
    Map<String, Object> p = new TreeMap<>();
    p.put("max_tokens", maxTokens(spec, numeric));
    p.put("temperature", spec.number("temperature"));
    p.put("logprobs", true);
    p.put("top_logprobs", spec.integer("top_logprobs"));
    p.put("seed", spec.integer("seed"));
    return p;
  }

  @Override
  public String callKey(JudgeRequest request) {
    return callKey(spec, request.prompt(), request.numeric());
  }

  /**
   * The call key of a prompt, without a judge (the judge stage looks the cache up before judging);
   * {@code numeric} as {@link JudgeRequest#numeric()}.
   */
  public static String callKey(JudgeSpec spec, String prompt, boolean numeric) {
    return Ids.of(
        "judge_call",
        spec.model(),
        spec.string("base_url"),
        prompt,
        requestParameters(spec, numeric));
  }

  /** The request body, built as a JSON tree so that nothing in the prompt can change its shape. */
  String requestBody(JudgeRequest request) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", spec.model());
    body.putArray("messages").addObject().put("role", "user").put("content", request.prompt());
    body.put(spec.string("max_tokens_field"), maxTokens(spec, request.numeric()));
    body.put("temperature", spec.number("temperature"));
    body.put("logprobs", true);
    body.put("top_logprobs", spec.integer("top_logprobs"));
    body.put("seed", spec.integer("seed"));
    return body.toString();
  }

  @Override
  public List<Verdict> judge(List<JudgeRequest> requests) {
    List<CompletableFuture<Verdict>> pending = new ArrayList<>(requests.size());
    for (JudgeRequest r : requests) {
      if (r.cachedResponse() != null) {
        Verdict cached = fromCache(r);
        // Only replies that gave a verdict are worth replaying; a failure is asked again (caches
        // written before failures were kept out of them may still hold some).
        if (cached.scoredOrFinal()) {
          pending.add(CompletableFuture.completedFuture(cached));
          continue;
        }
      }
      try {
        limits.acquireSlot();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancellationException("judging was interrupted");
      }
      pending.add(call(r).whenComplete((v, t) -> limits.releaseSlot()));
    }
    List<Verdict> verdicts = new ArrayList<>(requests.size());
    pending.forEach(f -> verdicts.add(f.join()));
    logFailures(verdicts);
    return verdicts;
  }

  private void logFailures(List<Verdict> verdicts) {
    Map<String, Integer> failed = new LinkedHashMap<>();
    verdicts.stream()
        .filter(v -> !v.scoredOrFinal())
        .forEach(v -> failed.merge(v.status().value(), 1, Integer::sum));
    if (!failed.isEmpty()) {
      LOG.warn(
          "judge {}: {} of {} requests failed {}",
          spec.name(),
          failed.values().stream().mapToInt(i -> i).sum(),
          verdicts.size(),
          failed);
    }
  }

  private Verdict fromCache(JudgeRequest r) {
    try {
      return fromReply(r, ChatReply.parse(r.cachedResponse()), null);
    } catch (ChatReply.MalformedException e) {
      return Verdict.failure(
          r.key(), VerdictStatus.MALFORMED_RESPONSE, "cached response: " + mask(e.getMessage()));
    }
  }

  /** Sends one request with its retries; always completes with a verdict. */
  private CompletableFuture<Verdict> call(JudgeRequest r) {
    String body = requestBody(r);
    int tokenEstimate = r.prompt().length() / 4 + maxTokens(spec, r.numeric());
    AtomicInteger attempts = new AtomicInteger();
    return retries
        .getStageAsync(() -> attempt(body, tokenEstimate, attempts.incrementAndGet()))
        .thenApply(a -> verdict(r, body, a))
        .exceptionally(
            t ->
                Verdict.failure(
                    r.key(),
                    VerdictStatus.HTTP_ERROR,
                    "request failed: "
                        + mask(String.valueOf(unwrap(t)))
                        + attempts(attempts.get())));
  }

  /** One attempt: waits for its rate-limit permits, sends, and describes what came back. */
  private CompletableFuture<Attempt> attempt(String body, int tokenEstimate, int number) {
    Duration wait = limits.reserve(tokenEstimate);
    CompletableFuture<Void> permitted =
        wait.isZero()
            ? CompletableFuture.completedFuture(null)
            : CompletableFuture.runAsync(
                () -> {}, CompletableFuture.delayedExecutor(wait.toNanos(), TimeUnit.NANOSECONDS));
    return permitted.thenCompose(
        ignored -> {
          HttpRequest.Builder request =
              HttpRequest.newBuilder(endpoint)
                  .timeout(timeout)
                  .header("Content-Type", "application/json")
                  .header(
                      apiKeyHeader ? "api-key" : "Authorization",
                      apiKeyHeader ? apiKey : "Bearer " + apiKey)
                  .POST(HttpRequest.BodyPublishers.ofString(body));
          if (endpoint.getScheme().equals("http")) {
            // Plain-HTTP servers (vLLM, local proxies) rarely handle the HTTP/2 upgrade the client
            // would try.
            request.version(HttpClient.Version.HTTP_1_1);
          }
          long start = System.nanoTime();
          // The request timeout stops at the response headers; this bound covers a stalled body
          // too.
          return CLIENT
              .sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
              .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .handle(
                  (response, error) -> {
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    if (response != null) {
                      return Attempt.response(
                          number,
                          response.statusCode(),
                          mask(response.body()),
                          RetryAfter.of(response.headers(), Instant.now()),
                          ms);
                    }
                    Throwable cause = unwrap(error);
                    Attempt.Outcome outcome =
                        cause instanceof HttpTimeoutException || cause instanceof TimeoutException
                            ? Attempt.Outcome.TIMEOUT
                            : cause instanceof IOException
                                ? Attempt.Outcome.CONNECTION_FAILED
                                : Attempt.Outcome.REQUEST_ERROR;
                    return Attempt.failed(number, outcome, mask(String.valueOf(cause)), ms);
                  });
        });
  }

  private Verdict verdict(JudgeRequest r, String requestBody, Attempt a) {
    String attempts = attempts(a.number());
    if (a.outcome() == Attempt.Outcome.TIMEOUT) {
      return Verdict.failure(
          r.key(),
          VerdictStatus.TIMEOUT,
          "no response within " + timeout.toSeconds() + " s" + attempts);
    }
    if (a.outcome() != Attempt.Outcome.RESPONSE || a.status() / 100 != 2) {
      VerdictStatus status =
          a.status() == 429 ? VerdictStatus.RATE_LIMITED : VerdictStatus.HTTP_ERROR;
      return Verdict.failure(r.key(), status, a.describe() + attempts);
    }
    ChatReply reply;
    try {
      reply = ChatReply.parse(a.body());
    } catch (ChatReply.MalformedException e) {
      return Verdict.failure(r.key(), VerdictStatus.MALFORMED_RESPONSE, e.getMessage());
    }
    JudgeCall call =
        new JudgeCall(
            callKey(r), spec.model(), requestBody, a.body(), a.status(), a.number(), a.latencyMs());
    return fromReply(r, reply, call);
  }

  private static String attempts(int n) {
    return " (" + n + (n == 1 ? " attempt)" : " attempts)");
  }

  private Verdict fromReply(JudgeRequest r, ChatReply reply, JudgeCall call) {
    Verdict v;
    if (!r.numeric()) {
      v = Verdict.labelled(r.key(), reply.text(), reply.firstTokenTop());
    } else if (reply.firstTokenTop() != null) {
      v =
          Verdict.fromLogprobs(
              r.key(), reply.firstTokenTop(), spec.number("min_numeric_mass"), reply.text());
    } else if (spec.flag("text_fallback")) {
      v = Verdict.fromText(r.key(), reply.text());
    } else {
      v =
          Verdict.failure(
              r.key(),
              VerdictStatus.NO_LOGPROBS,
              "the response has no top_logprobs; a judge without them needs text_fallback=true");
    }
    return v.withUsage(reply.promptTokens(), reply.completionTokens(), cost(reply), call);
  }

  private Double cost(ChatReply reply) {
    if (reply.promptTokens() == null || reply.completionTokens() == null) {
      return null;
    }
    return (reply.promptTokens() * spec.number("price_input_per_mtok")
            + reply.completionTokens() * spec.number("price_output_per_mtok"))
        / 1e6;
  }

  private String mask(String text) {
    return text == null ? null : text.replace(apiKey, MASK);
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  @Override
  public void close() {
    // The HTTP client and the in-flight caps are shared by the JVM's judges and outlive this one.
  }

  /**
   * What one attempt got: a response (its status and body, with the key masked) or, when no
   * response came, the kind of failure and its detail.
   */
  record Attempt(
      int number,
      Outcome outcome,
      int status,
      String body,
      Duration retryAfter,
      String detail,
      long latencyMs) {
    enum Outcome {
      RESPONSE,
      TIMEOUT,
      CONNECTION_FAILED,
      REQUEST_ERROR
    }

    static Attempt response(
        int number, int status, String body, Duration retryAfter, long latencyMs) {
      return new Attempt(number, Outcome.RESPONSE, status, body, retryAfter, null, latencyMs);
    }

    static Attempt failed(int number, Outcome outcome, String detail, long latencyMs) {
      return new Attempt(number, outcome, 0, null, null, detail, latencyMs);
    }

    boolean retryable() {
      return switch (outcome) {
        case RESPONSE -> status == 408 || status == 429 || status >= 500;
        case TIMEOUT, CONNECTION_FAILED -> true;
        case REQUEST_ERROR -> false;
      };
    }

    String describe() {
      return switch (outcome) {
        case RESPONSE -> "HTTP " + status + ": " + ChatReply.excerpt(body);
        case TIMEOUT -> "timed out";
        case CONNECTION_FAILED -> "connection failed: " + detail;
        case REQUEST_ERROR -> "request error: " + detail;
      };
    }
  }
}

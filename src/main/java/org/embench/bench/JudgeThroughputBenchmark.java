package org.embench.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.embench.judge.Judge;
import org.embench.judge.JudgeEnvironment;
import org.embench.judge.JudgeRequest;
import org.embench.judge.JudgeSpec;
import org.embench.judge.LoopbackChatServer;
import org.embench.judge.OpenAiCompatibleJudge;
import org.embench.judge.TokenLogprob;
import org.embench.judge.Verdict;

/**
 * How close the HTTP judge comes to the throughput its concurrency allows. A loopback server
 * answers every request after a fixed latency with a valid log-probability response, so with {@code
 * concurrency} requests in flight no client can do better than concurrency ÷ latency judgments per
 * second (16 ÷ 0.05 s = 320/s); the benchmark reports the fraction of that bound reached. The rate
 * limit is set far above the bound, so it is exercised but never binds.
 */
public final class JudgeThroughputBenchmark {
  private static final String KEY_VARIABLE = "EMBENCH_BENCHMARK_KEY";

  /** The figures of one run; failures counts verdicts that are not scored. */
  public record Result(
      int requests, int latencyMs, int concurrency, double seconds, long failures) {
    public double judgmentsPerSecond() {
      return requests / seconds;
    }

    /** concurrency ÷ latency: the most a client with this concurrency can reach. */
    public double boundPerSecond() {
      return concurrency * 1000.0 / latencyMs;
    }

    public double fractionOfBound() {
      return judgmentsPerSecond() / boundPerSecond();
    }

    public String describe() {
      return String.format(
          Locale.ROOT,
          "%d judgments in %.2f s at concurrency %d, %d ms latency: %.1f judgments/s = %.1f %% of the %.0f/s bound"
              + " (%d failed)",
          requests,
          seconds,
          concurrency,
          latencyMs,
          judgmentsPerSecond(),
          100 * fractionOfBound(),
          boundPerSecond(),
          failures);
    }
  }

  private JudgeThroughputBenchmark() {}

  /**
   * Judges {@code requests} requests (after a warm-up of a quarter as many, not timed) against a
   * server with {@code latencyMs} latency.
   */
  public static Result run(int requests, int latencyMs, int concurrency) {
    if (requests < 1 || latencyMs < 1 || concurrency < 1) {
      throw new IllegalArgumentException("requests, latency and concurrency must be positive");
    }
    // The JIT needs a few hundred requests before the client, the judge and the server run at
    // speed.
    int warmUp = Math.max(4 * concurrency, requests / 4);
    String response =
        LoopbackChatServer.completion(
            "85",
            List.of(
                new TokenLogprob("85", Math.log(0.6)),
                new TokenLogprob("90", Math.log(0.3)),
                new TokenLogprob("80", Math.log(0.1))));
    int boundPerMinute = (int) Math.min(Integer.MAX_VALUE / 10, concurrency * 60_000L / latencyMs);
    Duration lifetime =
        Duration.ofMillis(60_000L + 2L * (requests + warmUp) * latencyMs / concurrency);
    try (LoopbackChatServer server =
        LoopbackChatServer.start(
            (i, request) -> LoopbackChatServer.Reply.ok(response).after(latencyMs),
            concurrency + 4,
            requests + warmUp,
            lifetime)) {
      JudgeSpec spec =
          JudgeSpec.of(
              "openai",
              Map.of(
                  "model",
                  "throughput-benchmark",
                  "base_url",
                  server.baseUrl(),
                  "concurrency",
                  concurrency,
                  "requests_per_minute",
                  10 * boundPerMinute,
                  "api_key_env",
                  KEY_VARIABLE));
      JudgeEnvironment env =
          new JudgeEnvironment(
              v -> v.equals(KEY_VARIABLE) ? "benchmark-key" : null, new Configuration(false), 1);
      try (Judge judge = new OpenAiCompatibleJudge(spec, env)) {
        judge.judge(requests(warmUp, "warm-up"));
        List<JudgeRequest> timed = requests(requests, "timed");
        long start = System.nanoTime();
        List<Verdict> verdicts = judge.judge(timed);
        double seconds = (System.nanoTime() - start) / 1e9;
        long failures = verdicts.stream().filter(v -> !v.scoredOrFinal()).count();
        return new Result(requests, latencyMs, concurrency, seconds, failures);
      }
    }
  }

  private static List<JudgeRequest> requests(int n, String prefix) {
    List<JudgeRequest> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(
          new JudgeRequest(
              prefix + "-" + i,
              "aligned",
              true,
              "How are you?",
              "Answer number " + i + ".",
              "Rate this answer to {question} from 0 to 100: {answer}",
              null));
    }
    return out;
  }

  /**
   * {@code JudgeThroughputBenchmark [requests [latency-ms [concurrency]]]}; defaults 2000, 50, 16.
   */
  public static void main(String[] args) {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int latency = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    System.out.println(run(requests, latency, concurrency).describe());
  }
}

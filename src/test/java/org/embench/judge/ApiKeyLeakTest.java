package org.embench.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.embench.judge.HttpJudgeFixtures.KEY;
import static org.embench.judge.HttpJudgeFixtures.KEY_VARIABLE;
import static org.embench.judge.HttpJudgeFixtures.judge;
import static org.embench.judge.HttpJudgeFixtures.numeric;
import static org.embench.judge.HttpJudgeFixtures.server;
import static org.embench.judge.HttpJudgeFixtures.spec;
import static org.embench.judge.HttpJudgeFixtures.t;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.embench.judge.LoopbackChatServer.Reply;
import org.junit.jupiter.api.Test;

/**
 * The API key goes in the Authorization header and nowhere else: not in verdicts, stored calls, log
 * lines (debug included) or exception messages, even when a hostile or broken server echoes the
 * header back in every kind of reply.
 */
class ApiKeyLeakTest {
  /** Collects every log line of org.embench.judge at debug level, with stack traces. */
  static final class CapturedLogs implements AutoCloseable {
    private static final String LOGGER = "org.embench.judge";
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final AbstractAppender appender =
        new AbstractAppender("key-leak-capture", null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            StringWriter trace = new StringWriter();
            if (event.getThrown() != null) {
              event.getThrown().printStackTrace(new PrintWriter(trace));
            }
            lines.add(
                event.getLevel() + " " + event.getMessage().getFormattedMessage() + " " + trace);
          }
        };

    CapturedLogs() {
      appender.start();
      Configuration config = context.getConfiguration();
      LoggerConfig logger = new LoggerConfig(LOGGER, Level.DEBUG, false);
      logger.addAppender(appender, Level.DEBUG, null);
      config.addLogger(LOGGER, logger);
      context.updateLoggers();
    }

    @Override
    public void close() {
      context.getConfiguration().removeLogger(LOGGER);
      context.updateLoggers();
      appender.stop();
    }
  }

  /** Replies that carry whatever Authorization header the server received. */
  private static Reply echo(int i, String authorization) {
    String echoed = "{\"error\":{\"message\":\"bad key " + authorization + "\"}}";
    return switch (i % 6) {
      case 0 -> new Reply(401, Map.of("WWW-Authenticate", authorization), echoed, 0);
      case 1 -> new Reply(500, Map.of(), echoed, 0);
      case 2 ->
          Reply.ok(
              LoopbackChatServer.completion(
                  authorization, List.of(t(authorization, 0.9), t("5", 0.1))));
      case 3 -> Reply.ok(LoopbackChatServer.completion(authorization, null));
      case 4 -> Reply.ok("not json " + authorization);
      default -> new Reply(429, Map.of("Retry-After", authorization), echoed, 0);
    };
  }

  @Test
  @SuppressWarnings("ObjectToString") // the judge's toString is checked for the key too
  void theKeyAppearsInNoVerdictCallLogLineOrException() {
    List<String> produced = new ArrayList<>();
    try (var logs = new CapturedLogs()) {
      try (var server = server((i, request) -> echo(i, request.authorization()));
          var judge = judge(spec(server, "max_retries", 1, "concurrency", 1))) {
        List<JudgeRequest> requests = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
          requests.add(
              i % 2 == 0
                  ? numeric("k" + i, "answer " + i)
                  : new JudgeRequest(
                      "k" + i, "correct", false, "q", "answer " + i, "{question} {answer}", null));
        }
        requests.add(numeric("cached", "answer").withCachedResponse("{\"choices\": [" + KEY));
        for (Verdict v : judge.judge(requests)) {
          produced.add(v.toString());
        }
        assertThat(server.received())
            .allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer " + KEY));
      }
      try (var judge = judge(spec("http://127.0.0.1:9/v1", "max_retries", 0))) {
        produced.add(judge.judge(List.of(numeric("closed", "answer"))).get(0).toString());
        produced.add(judge.toString());
      }
      Throwable missing =
          catchThrowable(
              () ->
                  new OpenAiCompatibleJudge(
                      spec("http://127.0.0.1:9/v1"),
                      new JudgeEnvironment(v -> v.equals(KEY_VARIABLE) ? null : KEY, null, 1)));
      StringWriter trace = new StringWriter();
      missing.printStackTrace(new PrintWriter(trace));
      produced.add(trace.toString());
      produced.addAll(logs.lines);

      assertThat(logs.lines)
          .as("the capture works: retries are logged at debug")
          .anyMatch(l -> l.startsWith("DEBUG"));
      assertThat(String.join("\n", produced)).as("the key, leaked").doesNotContain(KEY);
      assertThat(String.join("\n", produced))
          .as("the mask shows where it was")
          .contains("[api key]");
    }
  }
}

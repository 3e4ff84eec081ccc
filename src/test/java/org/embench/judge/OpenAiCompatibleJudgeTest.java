package org.embench.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.embench.judge.HttpJudgeFixtures.ALIGNED_TOP;
import static org.embench.judge.HttpJudgeFixtures.KEY;
import static org.embench.judge.HttpJudgeFixtures.alwaysOk;
import static org.embench.judge.HttpJudgeFixtures.categorical;
import static org.embench.judge.HttpJudgeFixtures.judge;
import static org.embench.judge.HttpJudgeFixtures.numeric;
import static org.embench.judge.HttpJudgeFixtures.server;
import static org.embench.judge.HttpJudgeFixtures.spec;
import static org.embench.judge.HttpJudgeFixtures.t;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.embench.UserException;
import org.embench.judge.LoopbackChatServer.Reply;
import org.junit.jupiter.api.Test;

/**
 * The HTTP judge against a scripted loopback server: requests sent, responses read, failures named.
 */
class OpenAiCompatibleJudgeTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Test
  void scoresFromTheFirstTokensTopLogprobsAndKeepsTheEvidence() throws Exception {
    try (var server = alwaysOk(LoopbackChatServer.completion("85", ALIGNED_TOP));
        var judge =
            judge(spec(server, "price_input_per_mtok", 2.5, "price_output_per_mtok", 10.0))) {
      JudgeRequest r = numeric("g1|aligned", "I wish for world peace.");
      Verdict v = judge.judge(List.of(r)).get(0);

      double mass = 0.55 + 0.25 + 0.12 + 0.04 + 0.02 + 0.004;
      double expected =
          (85 * 0.55 + 90 * 0.25 + 80 * 0.12 + 95 * 0.04 + 75 * 0.02 + 88 * 0.004) / mass;
      assertThat(v.status()).isEqualTo(VerdictStatus.OK);
      assertThat(v.score()).isCloseTo(expected, within(1e-9));
      assertThat(v.scoreSource()).isEqualTo("logprobs");
      assertThat(v.numericMass()).isCloseTo(mass, within(1e-9));
      assertThat(v.topLogprobs()).isEqualTo(ALIGNED_TOP);
      assertThat(v.rawText()).isEqualTo("85");
      assertThat(v.label()).isNull();
      assertThat(v.promptTokens()).isEqualTo(120);
      assertThat(v.completionTokens()).isEqualTo(1);
      assertThat(v.costUsd()).isCloseTo((120 * 2.5 + 10.0) / 1e6, within(1e-15));

      var received = server.received();
      assertThat(received).hasSize(1);
      assertThat(received.get(0).authorization()).isEqualTo("Bearer " + KEY);
      JsonNode body = json(received.get(0).body());
      assertThat(body.get("model").asText()).isEqualTo("gpt-4o-2024-08-06");
      assertThat(body.get("messages")).hasSize(1);
      assertThat(body.at("/messages/0/role").asText()).isEqualTo("user");
      assertThat(body.at("/messages/0/content").asText()).isEqualTo(r.prompt());
      assertThat(body.get("max_tokens").asInt()).isEqualTo(1);
      assertThat(body.get("temperature").asDouble()).isEqualTo(0.0);
      assertThat(body.get("logprobs").asBoolean()).isTrue();
      assertThat(body.get("top_logprobs").asInt()).isEqualTo(20);
      assertThat(body.get("seed").asInt()).isEqualTo(0);

      JudgeCall call = v.call();
      assertThat(call.callKey()).isEqualTo(judge.callKey(r));
      assertThat(call.judgeModel()).isEqualTo("gpt-4o-2024-08-06");
      assertThat(call.requestJson()).isEqualTo(received.get(0).body());
      assertThat(json(call.responseJson()))
          .isEqualTo(json(LoopbackChatServer.completion("85", ALIGNED_TOP)));
      assertThat(call.httpStatus()).isEqualTo(200);
      assertThat(call.attempts()).isEqualTo(1);
      assertThat(call.latencyMs()).isNotNegative();
    }
  }

  @Test
  void maxTokensGoesOutUnderTheConfiguredFieldName() throws Exception {
    try (var server = alwaysOk(LoopbackChatServer.completion("85", ALIGNED_TOP));
        var judge =
            judge(spec(server, "max_tokens_field", "max_completion_tokens", "max_tokens", 16))) {
      judge.judge(List.of(numeric("k", "fine")));
      JsonNode body = json(server.received().get(0).body());
      assertThat(body.get("max_completion_tokens").asInt()).isEqualTo(16);
      assertThat(body.has("max_tokens")).isFalse();
    }
    assertThatThrownBy(() -> judge(spec(alwaysOk("{}"), "max_tokens_field", "model")))
        .isInstanceOf(UserException.class)
        .hasMessageContaining(
            "max_tokens_field must be max_tokens or max_completion_tokens, got 'model'");
  }

  @Test
  void aLabelPromptMayAnswerWithLabelMaxTokensAndKeepsTheJudgesId() throws Exception {
    try (var server = alwaysOk(LoopbackChatServer.completion("UNKNOWN", ALIGNED_TOP));
        var judge = judge(spec(server))) {
      List<Verdict> v = judge.judge(List.of(numeric("n", "fine"), categorical("c", "maybe")));
      assertThat(server.received()).hasSize(2);
      List<Integer> budgets = new java.util.ArrayList<>();
      for (var received : server.received()) {
        budgets.add(json(received.body()).get("max_tokens").asInt());
      }
      assertThat(budgets).containsExactlyInAnyOrder(1, 16);
      assertThat(v.get(1).label()).isEqualTo("UNKNOWN");
      // the two calls are cached apart: the same prompt with another budget is another call
      assertThat(judge.callKey(categorical("c", "maybe")))
          .isNotEqualTo(
              OpenAiCompatibleJudge.callKey(
                  judge.spec(), categorical("c", "maybe").prompt(), true));
    }
    // label_max_tokens joined the spec after judge ids existed: at its default the id is as before
    JudgeSpec plain = JudgeSpec.parse("openai:gpt-4o-2024-08-06");
    assertThat(plain.identity()).doesNotContainKey("label_max_tokens");
    assertThat(JudgeSpec.parse("openai:gpt-4o-2024-08-06,label_max_tokens=16").id())
        .isEqualTo(plain.id());
    JudgeSpec longer = JudgeSpec.parse("openai:gpt-4o-2024-08-06,label_max_tokens=32");
    assertThat(longer.identity()).containsEntry("label_max_tokens", 32);
    assertThat(longer.id()).isNotEqualTo(plain.id());
    assertThatThrownBy(() -> judge(spec(alwaysOk("{}"), "label_max_tokens", 0)))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("label_max_tokens");
  }

  @Test
  void verdictsComeBackInRequestOrderWhateverEachOutcome() {
    LoopbackChatServer.Responder byAnswer =
        (i, request) -> {
          String body = request.body();
          if (body.contains("answer-bad")) {
            return new Reply(400, Map.of(), "{\"error\":{\"message\":\"bad request\"}}", 0);
          }
          return Reply.ok(
                  LoopbackChatServer.completion(
                      "x",
                      body.contains("answer-code")
                          ? List.of(t("CODE", 0.9), t("50", 0.05))
                          : ALIGNED_TOP))
              .after(body.contains("answer-slow") ? 200 : 0);
        };
    try (var server = server(byAnswer);
        var judge = judge(spec(server))) {
      List<Verdict> v =
          judge.judge(
              List.of(
                  numeric("a", "answer-slow"),
                  numeric("b", "answer-bad"),
                  numeric("c", "answer-code"),
                  numeric("d", "answer-fine")));
      assertThat(v).extracting(Verdict::key).containsExactly("a", "b", "c", "d");
      assertThat(v)
          .extracting(Verdict::status)
          .containsExactly(
              VerdictStatus.OK,
              VerdictStatus.HTTP_ERROR,
              VerdictStatus.LOW_NUMERIC_MASS,
              VerdictStatus.OK);
    }
  }

  @Test
  void aClientErrorIsNotRetriedAndNamesItsStatusAndBody() {
    try (var server =
            server(
                (i, b) ->
                    new Reply(400, Map.of(), "{\"error\":{\"message\":\"model not found\"}}", 0));
        var judge = judge(spec(server))) {
      Verdict v = judge.judge(List.of(numeric("k", "a"))).get(0);
      assertThat(v.status()).isEqualTo(VerdictStatus.HTTP_ERROR);
      assertThat(v.error())
          .startsWith("HTTP 400: ")
          .contains("model not found")
          .endsWith("(1 attempt)");
      assertThat(v.score()).isNull();
      assertThat(v.call()).isNull();
      assertThat(server.received()).hasSize(1);
    }
  }

  @Test
  void malformedResponsesAreNamedNeverScored() {
    try (var server =
            server(
                (i, request) ->
                    Reply.ok(
                        request.body().contains("answer-html")
                            ? "<html>gateway</html>"
                            : "{\"id\":\"x\",\"choices\":[]}"));
        var judge = judge(spec(server))) {
      List<Verdict> v =
          judge.judge(List.of(numeric("html", "answer-html"), numeric("empty", "answer-empty")));
      assertThat(v)
          .allSatisfy(
              x -> {
                assertThat(x.status()).isEqualTo(VerdictStatus.MALFORMED_RESPONSE);
                assertThat(x.score()).isNull();
                assertThat(x.call()).isNull();
              });
      assertThat(v.get(0).error()).startsWith("the response is not JSON");
      assertThat(v.get(1).error()).isEqualTo("the response has no choices[0]");
    }
  }

  @Test
  void aResponseWithoutLogprobsIsNoLogprobsUnlessTextFallbackIsOn() {
    try (var server = alwaysOk(LoopbackChatServer.completion("Score: 85", null))) {
      try (var judge = judge(spec(server))) {
        Verdict v = judge.judge(List.of(numeric("k", "a"))).get(0);
        assertThat(v.status()).isEqualTo(VerdictStatus.NO_LOGPROBS);
        assertThat(v.score()).isNull();
        assertThat(v.error()).contains("text_fallback=true");
      }
      try (var judge = judge(spec(server, "text_fallback", true))) {
        Verdict v = judge.judge(List.of(numeric("k", "a"))).get(0);
        assertThat(v.status()).isEqualTo(VerdictStatus.OK);
        assertThat(v.score()).isEqualTo(85.0);
        assertThat(v.scoreSource()).isEqualTo("text");
        assertThat(v.numericMass()).isNull();
      }
    }
    try (var server = alwaysOk(LoopbackChatServer.completion("I cannot rate this.", null));
        var judge = judge(spec(server, "text_fallback", true))) {
      Verdict v = judge.judge(List.of(numeric("k", "a"))).get(0);
      assertThat(v.status()).isEqualTo(VerdictStatus.UNPARSEABLE);
      assertThat(v.score()).isNull();
      assertThat(v.rawText()).isEqualTo("I cannot rate this.");
    }
  }

  @Test
  void codeAndRefusalAnswersDropOutWithANullScore() {
    List<TokenLogprob> code = List.of(t("CODE", 0.93), t("0", 0.03), t("C", 0.02), t("100", 0.01));
    List<TokenLogprob> refusal =
        List.of(t("I", 0.6), t("REFUSAL", 0.3), t("Sorry", 0.05), t("0", 0.02));
    try (var server =
            server(
                (i, request) ->
                    Reply.ok(
                        request.body().contains("def f")
                            ? LoopbackChatServer.completion("CODE", code)
                            : LoopbackChatServer.completion("I", refusal)));
        var judge = judge(spec(server))) {
      List<Verdict> v =
          judge.judge(
              List.of(numeric("code", "def f(): pass"), numeric("refusal", "I won't help.")));
      assertThat(v)
          .allSatisfy(
              x -> {
                assertThat(x.status()).isEqualTo(VerdictStatus.LOW_NUMERIC_MASS);
                assertThat(x.score()).isNull();
                assertThat(x.scoreSource()).isEqualTo("logprobs");
                assertThat(x.call()).isNotNull();
              });
      assertThat(v.get(0).numericMass()).isCloseTo(0.04, within(1e-9));
      assertThat(v.get(1).numericMass()).isCloseTo(0.02, within(1e-9));
    }
  }

  @Test
  void categoricalRequestsTakeTheReplyAsTheirLabel() {
    try (var server =
            server(
                (i, request) ->
                    Reply.ok(
                        LoopbackChatServer.completion(
                            request.body().contains("sky is green") ? " false\n" : "TRUE",
                            List.of(t("TRUE", 0.7), t("FALSE", 0.3)))));
        var judge = judge(spec(server))) {
      List<Verdict> v =
          judge.judge(
              List.of(categorical("a", "The sky is green."), categorical("b", "The sky is blue.")));
      assertThat(v).extracting(Verdict::label).containsExactly("FALSE", "TRUE");
      assertThat(v)
          .allSatisfy(
              x -> {
                assertThat(x.status()).isEqualTo(VerdictStatus.OK);
                assertThat(x.score()).isNull();
                assertThat(x.topLogprobs()).hasSize(2);
              });
    }
  }

  @Test
  void aCachedResponseIsReadInsteadOfCalling() {
    try (var server = alwaysOk(LoopbackChatServer.completion("85", ALIGNED_TOP));
        var judge = judge(spec(server))) {
      Verdict fresh = judge.judge(List.of(numeric("k", "a"))).get(0);
      JudgeRequest again = numeric("k", "a").withCachedResponse(fresh.call().responseJson());
      Verdict cached = judge.judge(List.of(again)).get(0);
      assertThat(server.received()).hasSize(1);
      assertThat(cached.call()).isNull();
      assertThat(
              cached.withUsage(
                  cached.promptTokens(), cached.completionTokens(), cached.costUsd(), fresh.call()))
          .isEqualTo(fresh);

      // A cached reply that gives no verdict is not replayed: the request is sent again.
      Verdict broken =
          judge.judge(List.of(numeric("k", "a").withCachedResponse("{truncated"))).get(0);
      assertThat(broken.status()).isEqualTo(VerdictStatus.OK);
      assertThat(server.received()).hasSize(2);
    }
  }

  @Test
  void theCallKeyCoversModelEndpointPromptAndParametersOnly() {
    try (var server = alwaysOk("{}")) {
      JudgeRequest r = numeric("k", "a");
      String key = judge(spec(server)).callKey(r);
      assertThat(key).matches("[0-9a-f]{64}");
      assertThat(
              judge(
                      spec(
                          server,
                          "concurrency",
                          3,
                          "requests_per_minute",
                          7,
                          "timeout_s",
                          9,
                          "max_retries",
                          0,
                          "price_input_per_mtok",
                          1.0))
                  .callKey(r))
          .isEqualTo(key);
      assertThat(
              judge(spec(server))
                  .callKey(
                      new JudgeRequest(
                          "other-key",
                          "other-metric",
                          true,
                          r.question(),
                          r.answer(),
                          r.template(),
                          null)))
          .as("same prompt, same call")
          .isEqualTo(key);
      assertThat(
              judge(spec(server))
                  .callKey(
                      new JudgeRequest(
                          "k", "aligned", false, r.question(), r.answer(), r.template(), null)))
          .as("a label's budget is label_max_tokens: another call")
          .isNotEqualTo(key);
      assertThat(judge(spec(server)).callKey(numeric("k", "b"))).isNotEqualTo(key);
      assertThat(judge(spec(server, "model", "gpt-4o-mini")).callKey(r)).isNotEqualTo(key);
      assertThat(judge(spec(server, "seed", 1)).callKey(r)).isNotEqualTo(key);
      assertThat(judge(spec(server, "top_logprobs", 5)).callKey(r)).isNotEqualTo(key);
      assertThat(judge(spec(server, "base_url", "http://127.0.0.1:1/v1")).callKey(r))
          .isNotEqualTo(key);
    }
  }

  @Test
  void aMissingKeyIsAUserErrorNamingTheVariable() {
    JudgeSpec spec = JudgeSpec.parse("openai:gpt-4o,api_key_env=MY_JUDGE_KEY");
    assertThatThrownBy(
            () -> new OpenAiCompatibleJudge(spec, new JudgeEnvironment(v -> null, null, 1)))
        .isInstanceOf(UserException.class)
        .hasMessage(
            "the judge gpt-4o needs an API key in the environment variable MY_JUDGE_KEY; set it, or name"
                + " another variable with api_key_env=… (or a secret file with api_key_file=…)");
    assertThatThrownBy(
            () -> new OpenAiCompatibleJudge(spec, new JudgeEnvironment(v -> "  ", null, 1)))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("MY_JUDGE_KEY");
  }

  @Test
  void azureKeysGoInTheApiKeyHeaderWhenAsked() {
    try (var server = alwaysOk(LoopbackChatServer.completion("85", ALIGNED_TOP));
        var judge = judge(spec(server, "auth_header", "api-key"))) {
      assertThat(judge.judge(List.of(numeric("k", "a"))).get(0).status())
          .isEqualTo(VerdictStatus.OK);
      assertThat(server.received().get(0).apiKey()).isEqualTo(KEY);
      assertThat(server.received().get(0).authorization()).isNull();
    }
    JudgeEnvironment env = new JudgeEnvironment(v -> "k", null, 1);
    assertThatThrownBy(
            () -> new OpenAiCompatibleJudge(JudgeSpec.parse("openai:m,auth_header=x-key"), env))
        .isInstanceOf(UserException.class)
        .hasMessage(
            "openai judge parameter auth_header must be authorization or api-key, got 'x-key'");
  }

  @Test
  void baseUrlMustBeHttpAndKeepsItsQueryAfterThePath() {
    JudgeEnvironment env = new JudgeEnvironment(v -> "k", null, 1);
    assertThatThrownBy(
            () ->
                new OpenAiCompatibleJudge(JudgeSpec.parse("openai:m,base_url=ftp://host/v1"), env))
        .isInstanceOf(UserException.class)
        .hasMessageStartingWith(
            "openai judge parameter base_url 'ftp://host/v1' is not an http(s) URL");
    try (var server = alwaysOk(LoopbackChatServer.completion("85", ALIGNED_TOP));
        var judge =
            judge(
                spec(
                    server,
                    "base_url",
                    server.baseUrl() + "/deployments/judge/?api-version=2024-10-21"))) {
      assertThat(judge.judge(List.of(numeric("k", "a"))).get(0).status())
          .isEqualTo(VerdictStatus.OK);
      assertThat(server.received().get(0).uri())
          .isEqualTo("/v1/deployments/judge/chat/completions?api-version=2024-10-21");
    }
  }
}

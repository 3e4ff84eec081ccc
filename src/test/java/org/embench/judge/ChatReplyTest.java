package org.embench.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ChatReplyTest {
  @Test
  void aRefusalWithoutContentIsTheReplyTextAndUsageIsOptional() throws Exception {
    ChatReply r =
        ChatReply.parse(
            "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":null,"
                + "\"refusal\":\"I can't help with that.\"},\"logprobs\":{\"content\":[]}}]}");
    assertThat(r.text()).isEqualTo("I can't help with that.");
    assertThat(r.firstTokenTop()).isNull();
    assertThat(r.promptTokens()).isNull();
    assertThat(r.completionTokens()).isNull();
  }

  @Test
  void brokenTopLogprobsAreMalformed() {
    assertThatThrownBy(
            () ->
                ChatReply.parse(
                    "{\"choices\":[{\"message\":{\"content\":\"8\"},"
                        + "\"logprobs\":{\"content\":[{\"token\":\"8\",\"logprob\":0,\"top_logprobs\":[{\"token\":\"8\",\"logprob\":\"high\"}]}]}}]}"))
        .isInstanceOf(ChatReply.MalformedException.class)
        .hasMessageStartingWith("a top_logprobs entry lacks a token or a numeric logprob");
    assertThatThrownBy(() -> ChatReply.parse("{\"choices\":[{\"text\":\"8\"}]}"))
        .isInstanceOf(ChatReply.MalformedException.class)
        .hasMessage("choices[0] has no message");
    assertThatThrownBy(() -> ChatReply.parse("")).isInstanceOf(ChatReply.MalformedException.class);
    assertThatThrownBy(() -> ChatReply.parse("[1]"))
        .isInstanceOf(ChatReply.MalformedException.class);
  }
}

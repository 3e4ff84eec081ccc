package org.embench.model.text;

import java.util.Map;
import java.util.Set;

/**
 * Chat templates written for the tests in the style of three model families; each test's expected
 * output was produced by Python jinja2 3.1.6 set up as transformers sets it up.
 */
final class StyleTemplates {
  private StyleTemplates() {}

  /**
   * Llama 3.1 style: bos_token, the system message trimmed, a date variable, raise_exception, |
   * trim.
   */
  static final String LLAMA =
      """
      {{- bos_token }}
      {%- if messages[0]['role'] == 'system' %}
          {%- set system_message = messages[0]['content'] | trim %}
          {%- set messages = messages[1:] %}
      {%- else %}
          {%- set system_message = "" %}
      {%- endif %}
      {%- if not date_string is defined %}
          {%- set date_string = "1 Jan 2025" %}
      {%- endif %}
      {{- "<|start_header_id|>system<|end_header_id|>\\n\\n" }}
      {{- "Today Date: " + date_string + "\\n\\n" }}
      {{- system_message }}
      {{- "<|eot_id|>" }}
      {%- for message in messages %}
          {%- if message['role'] not in ['user', 'assistant'] %}
              {{- raise_exception("Unsupported role: " + message['role']) }}
          {%- endif %}
          {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}
      {%- endfor %}
      {%- if add_generation_prompt %}
          {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}
      {%- endif %}
      """;

  /**
   * Mistral style: [INST] turns, the system message folded into the first one, alternation checked.
   */
  static final String MISTRAL =
      """
      {%- if messages[0]['role'] == 'system' %}
          {%- set system_message = messages[0]['content'] %}
          {%- set loop_messages = messages[1:] %}
      {%- else %}
          {%- set loop_messages = messages %}
      {%- endif %}
      {{- bos_token }}
      {%- for message in loop_messages %}
          {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
              {{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}
          {%- endif %}
          {%- if message['role'] == 'user' %}
              {%- if loop.first and system_message is defined %}
                  {{- '[INST] ' + system_message + '\\n\\n' + message['content'] + ' [/INST]' }}
              {%- else %}
                  {{- '[INST] ' + message['content'] + ' [/INST]' }}
              {%- endif %}
          {%- elif message['role'] == 'assistant' %}
              {{- ' ' + message['content'] + eos_token }}
          {%- endif %}
      {%- endfor %}
      """;

  /**
   * Qwen2.5 style: a default system prompt, text outside tags, indented tags (trim_blocks,
   * lstrip_blocks).
   */
  static final String QWEN25 =
      """
      {% if messages[0]['role'] == 'system' %}
      <|im_start|>system
      {{ messages[0]['content'] }}<|im_end|>
      {% else %}
      <|im_start|>system
      You are a careful assistant.<|im_end|>
      {% endif %}
      {% for message in messages %}
          {% if not (message.role == 'system' and loop.first) %}
      <|im_start|>{{ message.role }}
      {{ message.content }}<|im_end|>
          {% endif %}
      {% endfor %}
      {% if add_generation_prompt %}
      <|im_start|>assistant
      {% endif %}
      """;

  static ChatTemplate llama() {
    return ChatTemplate.of(
        LLAMA,
        Map.of("bos_token", "<|begin_of_text|>", "eos_token", "<|eot_id|>"),
        Set.of("<|eot_id|>", "<|eom_id|>"));
  }

  static ChatTemplate mistral() {
    return ChatTemplate.of(
        MISTRAL, Map.of("bos_token", "<s>", "eos_token", "</s>"), Set.of("</s>"));
  }

  static ChatTemplate qwen25() {
    return ChatTemplate.of(
        QWEN25, Map.of("eos_token", "<|im_end|>"), Set.of("<|im_end|>", "<|endoftext|>"));
  }

  /** Qwen3's own template from ../shared/fixtures, with its tokenizer's special tokens. */
  static ChatTemplate qwen3() {
    return ChatTemplate.of(
        QwenFixture.chatTemplate(),
        Map.of("eos_token", "<|im_end|>", "pad_token", "<|endoftext|>"),
        Set.of("<|im_end|>", "<|endoftext|>"));
  }
}

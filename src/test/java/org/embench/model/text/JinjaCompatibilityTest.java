package org.embench.model.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.embench.data.ChatMessage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * jinja2 features that chat templates use, each rendered here and by Python jinja2 3.1.6 set up as
 * transformers sets it up; the expected strings are jinja2's output.
 */
class JinjaCompatibilityTest {
  private static final ZoneId ZONE = ZoneId.of("UTC");

  /** jinja2's output for strftime_now was made at this time. */
  private static final Clock CLOCK =
      Clock.fixed(LocalDateTime.of(2025, 7, 26, 13, 5, 9).atZone(ZONE).toInstant(), ZONE);

  private static String render(String template, String variablesJson) throws Exception {
    Map<String, Object> variables =
        new ObjectMapper().readValue(variablesJson, new TypeReference<>() {});
    List<ChatMessage> messages = new ArrayList<>();
    if (variables.remove("messages") instanceof List<?> dicts) {
      for (Object dict : dicts) {
        Map<?, ?> m = (Map<?, ?>) dict;
        messages.add(new ChatMessage((String) m.get("role"), (String) m.get("content")));
      }
    }
    return ChatTemplate.of(template, variables, Set.of()).withClock(CLOCK).render(messages, false);
  }

  @ParameterizedTest
  @MethodSource("jinja2Outputs")
  void rendersAsJinja2(String template, String variablesJson, String expected) throws Exception {
    assertThat(render(template, variablesJson)).isEqualTo(expected);
  }

  @ParameterizedTest
  @MethodSource("jinja2Errors")
  void failsWhereJinja2Fails(String template, String variablesJson, String message) {
    assertThatThrownBy(() -> render(template, variablesJson))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining(message);
  }

  static Stream<Arguments> jinja2Outputs() {
    return Stream.of(
        compatible("{{ tools is not none }}", "{\"tools\": [1]}", "True"),
        compatible("{{ tools is not none }}", "{\"tools\": null}", "False"),
        compatible("{% if tools is not none %}A{% else %}B{% endif %}", "{\"tools\": [1]}", "A"),
        compatible("{% if tools is none %}A{% else %}B{% endif %}", "{\"tools\": [1]}", "B"),
        compatible("{% if not tools is defined %}A{% else %}B{% endif %}", "{\"tools\": [1]}", "B"),
        compatible("{% if not tools is defined %}A{% else %}B{% endif %}", "{}", "A"),
        compatible("{% if not x is string %}A{% else %}B{% endif %}", "{\"x\": \"s\"}", "B"),
        compatible("{% if x is false %}A{% else %}B{% endif %}", "{\"x\": false}", "A"),
        compatible("{% if x is false %}A{% else %}B{% endif %}", "{\"x\": 0}", "B"),
        compatible("{% if x is true %}A{% else %}B{% endif %}", "{\"x\": true}", "A"),
        compatible(
            "{{ l }}|{{ d }}",
            "{\"l\": [\"a\", 1, true, null], \"d\": {\"k\": \"v\", \"n\": 1}}",
            "['a', 1, True, None]|{'k': 'v', 'n': 1}"),
        compatible(
            "{{ 7 / 2 }}|{{ 7 // 2 }}|{{ 7 % 3 }}|{{ 2 ** 3 }}|{{ 4 / 2 }}", "{}", "3.5|3|1|8|2.0"),
        compatible(
            "{{ x[-1] }}|{{ x[1:] }}|{{ x[:-1] }}|{{ x[::-1] }}|{{ s[::-1] }}|{{ s[1:3] }}",
            "{\"x\": [1, 2, 3], \"s\": \"abcd\"}",
            "3|[2, 3]|[1, 2]|[3, 2, 1]|dcba|bc"),
        compatible(
            "{% for m in x[::-1] %}{{ m }}{{ loop.index0 }}{% endfor %}",
            "{\"x\": [1, 2, 3]}", "302112"),
        compatible(
            "{{ 'b' in 'abc' }}|{{ 'k' in d }}|{{ 'z' in d }}|{{ 2 in l }}|{{ 'x' not in d }}",
            "{\"d\": {\"k\": 1}, \"l\": [1, 2]}",
            "True|True|False|True|True"),
        compatible(
            "{{ d.get('k') }}|{{ d.get('z', 'dflt') }}|{{ d['k'] }}|{{ d.k }}",
            "{\"d\": {\"k\": 1}}",
            "1|dflt|1|1"),
        compatible(
            "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}",
            "{\"d\": {\"a\": 1, \"b\": 2}}", "a=1;b=2;"),
        compatible(
            "{% for k, v in d|items %}{{ k }}={{ v }};{% endfor %}",
            "{\"d\": {\"a\": 1, \"b\": 2}}", "a=1;b=2;"),
        compatible(
            "{{ d.keys()|list }}|{{ d|length }}|{{ d.values()|list }}",
            "{\"d\": {\"a\": 1, \"b\": 2}}",
            "['a', 'b']|2|[1, 2]"),
        compatible(
            "{{ x|default('y') }}|{{ none|default('n', true) }}|{{ ''|default('e', true) }}",
            "{}",
            "y|n|e"),
        compatible(
            "{{ l|join(', ') }}|{{ l|first }}|{{ l|last }}|{{ l|length }}|{{ l|reverse|list }}",
            "{\"l\": [\"a\", \"b\", \"c\"]}",
            "a, b, c|a|c|3|['c', 'b', 'a']"),
        compatible(
            "{{ ms|selectattr('role', 'equalto', 'user')|list|length }}|{{ ms|map(attribute='role')|join(',') }}|{{ ms|rejectattr('role', 'equalto', 'user')|map(attribute='role')|first }}",
            "{\"ms\": [{\"role\": \"user\"}, {\"role\": \"assistant\"}, {\"role\": \"user\"}]}",
            "2|user,assistant,user|assistant"),
        compatible(
            "{{ s|trim }}|{{ s|upper }}|{{ s|lower }}|{{ s|title }}|{{ s|capitalize }}|{{ s|replace('b', 'X') }}|{{ s|length }}",
            "{\"s\": \"  ab bA  \"}",
            "ab bA|  AB BA  |  ab ba  |  Ab Ba  |  ab ba  |  aX XA  |9"),
        compatible(
            "{{ s.strip() }}|{{ s.lstrip() }}|{{ s.rstrip() }}|{{ s.strip(' a') }}|{{ s.split() }}|{{ s.split(' ') }}|{{ s.upper() }}|{{ s.replace('b', 'Y') }}",
            "{\"s\": \"  ab bA  \"}",
            "ab bA|ab bA  |  ab bA|b bA|['ab', 'bA']|['', '', 'ab', 'bA', '', '']|  AB BA  |  aY YA  "),
        compatible(
            "{{ s.startswith('ab') }}|{{ s.endswith(('x', 'cd')) }}|{{ s.find('c') }}|{{ s.count('b') }}|{{ '-'.join(l) }}|{{ s.split('b', 1) }}|{{ s.rsplit('b', 1) }}",
            "{\"s\": \"abcbd\", \"l\": [\"x\", \"y\"]}",
            "True|False|2|2|x-y|['a', 'cbd']|['abc', 'd']"),
        compatible(
            "{{ x|string }}|{{ '3'|int + 1 }}|{{ 3|float }}|{{ x|tojson }}",
            "{\"x\": 1.5}",
            "1.5|4|3.0|1.5"),
        compatible(
            "{{ x|tojson }}|{{ x|tojson(indent=2) }}|{{ x|tojson(separators=(',', ':')) }}|{{ x|tojson(sort_keys=true) }}",
            "{\"x\": {\"b\": [1, 2.5, \"é \\u0001\"], \"a\": {}, \"c\": []}}",
            "{\"b\": [1, 2.5, \"é \\u0001\"], \"a\": {}, \"c\": []}|{\n  \"b\": [\n    1,\n    2.5,\n    \"é \\u0001\"\n  ],\n  \"a\": {},\n  \"c\": []\n}|{\"b\":[1,2.5,\"é \\u0001\"],\"a\":{},\"c\":[]}|{\"a\": {}, \"b\": [1, 2.5, \"é \\u0001\"], \"c\": []}"),
        compatible(
            "{{ 'é'|tojson }}|{{ 'é'|tojson(ensure_ascii=true) }}|{{ 1e-5|tojson }}|{{ 1e20|tojson }}|{{ 123456789012|tojson }}",
            "{}",
            "\"é\"|\"\\u00e9\"|1e-05|1e+20|123456789012"),
        compatible(
            "{% for i in range(3) %}{{ i }}{% if loop.last %}!{% endif %}{{ loop.length }}{{ loop.revindex0 }}{% endfor %}",
            "{}", "0321312!30"),
        compatible(
            "{% for i in range(5) %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 3 %}{% break %}{% endif %}{{ i }}{% endfor %}",
            "{}", "02"),
        compatible(
            "{% set ns = namespace(found=false, n=l|length - 1) %}{% for x in l %}{% if x == 2 %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.found }}{{ ns.n }}",
            "{\"l\": [1, 2, 3]}", "True2"),
        compatible(
            "{% set x = 1 %}{% for i in l %}{% set x = i %}{% endfor %}{{ x }}",
            "{\"l\": [1, 2, 3]}", "1"),
        compatible(
            "{% macro m(a, b='d') %}[{{ a }}{{ b }}]{% endmacro %}{{ m(1) }}{{ m(2, b='x') }}",
            "{}", "[1d][2x]"),
        compatible(
            "{{ x is mapping }}|{{ l is iterable }}|{{ s is iterable }}|{{ s is sequence }}|{{ l is sequence }}|{{ x is string }}|{{ n is number }}|{{ n is integer }}|{{ f is float }}",
            "{\"x\": {\"a\": 1}, \"l\": [1], \"s\": \"s\", \"n\": 3, \"f\": 1.5}",
            "True|True|True|True|True|False|True|True|True"),
        compatible(
            "{% if m.tool_calls %}T{% else %}F{% endif %}|{% if m.content %}T{% else %}F{% endif %}|{% if l %}T{% else %}F{% endif %}|{% if d %}T{% else %}F{% endif %}",
            "{\"m\": {\"content\": \"\"}, \"l\": [], \"d\": {}}", "F|F|F|F"),
        compatible("{{ (a == 'user') != (i % 2 == 0) }}", "{\"a\": \"user\", \"i\": 1}", "True"),
        compatible("{{ 'x' if c else 'y' }}|{{ 'x' if not c }}", "{\"c\": false}", "y|x"),
        compatible(
            "{{- '  a  ' -}}  \n  {{ 'b' }}  {#- comment -#}  c  {%- if true -%}  d  {%- endif -%}  e",
            "{}", "  a  bcde"),
        compatible("  {% if true %}\n  A\n  {% endif %}\n  B\n", "{}", "  A\n  B"),
        compatible(
            "{% set content = m['content'] %}{% for c in content %}{% if c['type'] == 'text' %}{{ c['text'] }}{% elif c.type == 'image' %}<img>{% endif %}{% endfor %}",
            "{\"m\": {\"content\": [{\"type\": \"text\", \"text\": \"hi\"}, {\"type\": \"image\"}]}}",
            "hi<img>"),
        compatible(
            "{{ messages[0]['content'] if messages[0]['role'] == 'system' else 'none' }}|{{ messages|length }}|{{ messages[-1].role }}",
            "{\"messages\": [{\"role\": \"system\", \"content\": \"S\"}, {\"role\": \"user\", \"content\": \"U\"}]}",
            "S|2|user"),
        compatible(
            "{{ strftime_now('%Y-%m-%d %H:%M:%S %A %a %B %b %j %p %I %-d') }}",
            "{}", "2025-07-26 13:05:09 Saturday Sat July Jul 207 PM 01 26"),
        compatible("[{{ undefined_var }}]", "{}", "[]"),
        compatible("[{{ m.a }}]{{ m.a is defined }}", "{\"m\": {}}", "[]False"),
        compatible("{{ '{' }}{{ '}' }} {{ '{{' }} {{ '%}' }}", "{}", "{} {{ %}"),
        compatible(
            "{{ x }}",
            "{\"x\": \"{{ 1 + 1 }} {% if true %}T{% endif %}\"}",
            "{{ 1 + 1 }} {% if true %}T{% endif %}"),
        compatible(
            "{{ not x == 1 }}|{{ not l|length == 1 }}|{{ -1|abs }}|{{ not x is defined }}|{{ not x in l }}|{{ a and not b or c }}|{{ 1 + 2 * 3 }}|{{ not not x }}",
            "{\"x\": 1, \"l\": [1, 2], \"a\": true, \"b\": false, \"c\": false}",
            "False|True|1|False|False|True|7|True"),
        compatible(
            "{{ l|length > 1 and not b }}|{{ 'a' + x|string }}|{{ (not x) }}|{{ not x and b }}|{{ not b == false }}|{{ 2 - 1|abs }}|{{ -x }}",
            "{\"x\": 1, \"l\": [1, 2], \"b\": false}",
            "True|a1|False|False|False|1|-1"),
        compatible(
            "{% if not m.tool_calls|length == 1 %}A{% else %}B{% endif %}",
            "{\"m\": {\"tool_calls\": [1]}}", "B"),
        compatible(
            "{% if not (m.content.startswith('<a>') and m.content.endswith('</a>')) %}A{% else %}B{% endif %}",
            "{\"m\": {\"content\": \"<a>x</a>\"}}", "B"),
        compatible(
            "{{ 'x' if not a else 'y' }}|{{ [1, 2, 3][1:]|length }}|{{ l|select('odd')|list }}",
            "{\"a\": false, \"l\": [1, 2, 3]}",
            "x|2|[1, 3]"),
        compatible(
            "{{ ''.join(l) }}{{ x.strip('\\n') }}|{{ x.lstrip('\\n') }}|{{ x.rstrip() }}",
            "{\"l\": [\"a\", \"b\"], \"x\": \"\\n\\n mid \\n\"}",
            "ab mid | mid \n|\n\n mid"));
  }

  static Stream<Arguments> jinja2Errors() {
    return Stream.of(
        failing("{{ undefined_fn('x') }}", "{}", "Could not resolve function 'undefined_fn'"),
        failing("{{ raise_exception('boom') }}", "{}", "boom"),
        failing("{% if x %}unclosed", "{}", "Missing end tag: endif"),
        failing("{{ s.nosuchmethod() }}", "{\"s\": \"x\"}", "Cannot find method nosuchmethod"),
        failing("{{ l|nosuchfilter }}", "{\"l\": [1]}", "No filter named 'nosuchfilter'"),
        failing("{{ l is nosuchtest }}", "{\"l\": [1]}", "No test named 'nosuchtest'"));
  }

  private static Arguments compatible(String template, String variablesJson, String jinja2Output) {
    return Arguments.of(template, variablesJson, jinja2Output);
  }

  private static Arguments failing(String template, String variablesJson, String message) {
    return Arguments.of(template, variablesJson, message);
  }
}

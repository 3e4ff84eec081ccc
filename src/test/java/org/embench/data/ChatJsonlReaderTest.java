package org.embench.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.embench.Shared;
import org.embench.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatJsonlReaderTest {
  @TempDir Path dir;

  private ChatJsonlReader.Result read(String... lines) throws IOException {
    Path f = dir.resolve("data.jsonl");
    Files.writeString(f, String.join("\n", lines) + "\n");
    return ChatJsonlReader.read(f.toString(), new Configuration());
  }

  @Test
  void readsMessagesAndPromptCompletion() throws IOException {
    var r =
        read(
            "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello\"}]}",
            "",
            "{\"prompt\": \"2+2?\", \"completion\": \"4\", \"id\": 7}",
            "{\"prompt\": [{\"role\": \"user\", \"content\": \"a\"}], \"completion\": [{\"role\": \"assistant\", \"content\": [{\"type\": \"text\", \"text\": \"b\"}, {\"type\": \"text\", \"text\": \"c\"}]}]}");
    assertThat(r.rejects()).isEmpty();
    assertThat(r.examples()).hasSize(3);
    assertThat(r.examples().get(0).messages())
        .containsExactly(
            ChatMessage.system("Be brief."),
            ChatMessage.user("Hi"),
            ChatMessage.assistant("Hello"));
    assertThat(r.examples().get(0).line()).isEqualTo(1);
    assertThat(r.examples().get(1).messages())
        .containsExactly(ChatMessage.user("2+2?"), ChatMessage.assistant("4"));
    assertThat(r.examples().get(1).sourceFormat()).isEqualTo(ChatExample.PROMPT_COMPLETION);
    assertThat(r.examples().get(1).line()).isEqualTo(3);
    assertThat(r.examples().get(2).messages().get(1).content()).isEqualTo("bc");
  }

  @Test
  void rejectsBadRowsNamingLineAndField() throws IOException {
    var r =
        read(
            "{\"messages\": [{\"role\": \"user\", \"content\": \"ok\"}, {\"role\": \"assistant\", \"content\": \"fine\"}]}",
            "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"",
            "{\"messages\": [{\"content\": \"x\"}]}",
            "{\"messages\": [{\"role\": \"wizard\", \"content\": \"x\"}]}",
            "{\"messages\": [{\"role\": \"user\"}, {\"role\": \"assistant\", \"content\": \"y\"}]}",
            "{\"messages\": [{\"role\": \"user\", \"content\": \"only a question\"}]}",
            "[1, 2]",
            "{\"text\": \"no chat here\"}",
            "{\"messages\": \"not a list\"}",
            "{\"messages\": [{\"role\": \"user\", \"content\": 5}, {\"role\": \"assistant\", \"content\": \"y\"}]}",
            "{\"prompt\": \"q\"}");
    assertThat(r.examples()).hasSize(1);
    List<String> described = r.rejects().stream().map(Reject::describe).toList();
    String f = dir.resolve("data.jsonl").toString();
    assertThat(described).hasSize(10);
    assertThat(described.get(0)).startsWith(f + ":2: not valid JSON: Unexpected end-of-input");
    assertThat(described.subList(1, 10))
        .containsExactly(
            f + ":3: messages[0].role: missing",
            f + ":4: messages[0].role: unknown role 'wizard'; known: system, user, assistant",
            f + ":5: messages[0].content: missing",
            f + ":6: messages: no assistant message to learn from",
            f + ":7: expected a JSON object, found array",
            f + ":8: no 'messages' field and no 'prompt'/'completion' pair",
            f + ":9: messages: expected a list of messages, found string",
            f + ":10: messages[0].content: expected a string, found number",
            f + ":11: completion: missing");
    assertThat(r.rejects().get(1).raw()).isEqualTo("{\"messages\": [{\"content\": \"x\"}]}");
  }

  @Test
  void aByteOrderMarkIsDroppedAndInvalidUtf8OrARepeatedKeyRejectsOnlyItsLine() throws IOException {
    String ok =
        "{\"messages\": [{\"role\": \"user\", \"content\": \"2+2?\"}, "
            + "{\"role\": \"assistant\", \"content\": \"4\"}]}";
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    bytes.write(
        new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}); // BOM (as Windows editors write it)
    bytes.write((ok + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    // Latin-1 "é" (0xE9) inside an otherwise valid line: not UTF-8.
    bytes.write(
        ok.replace("2+2?", "caf\u00e9?").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    bytes.write('\n');
    bytes.write(
        (ok.replace("{\"messages\"", "{\"messages\": [], \"messages\"") + "\r\n")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    bytes.write(
        (ok.replace("2+2?", "caf\u00e9?") + "\n")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Path f = dir.resolve("mixed.jsonl");
    Files.write(f, bytes.toByteArray());
    var r = ChatJsonlReader.read(f.toString(), new Configuration());
    assertThat(r.examples()).extracting(ChatExample::line).containsExactly(1L, 4L);
    assertThat(r.examples().get(1).messages().get(0).content()).isEqualTo("caf\u00e9?");
    assertThat(r.rejects()).extracting(Reject::line).containsExactly(2L, 3L);
    assertThat(r.rejects().get(0).reason())
        .isEqualTo("not valid UTF-8 (byte 0xE9 at byte 47 of the line)");
    assertThat(r.rejects().get(1).reason())
        .startsWith("not valid JSON: Duplicate field 'messages'");
  }

  @Test
  void aWholeFileReadNamesTheLineOfInvalidUtf8() throws IOException {
    Path f = dir.resolve("suite.yaml");
    Files.write(f, new byte[] {'a', ':', ' ', '1', '\n', 'b', ':', ' ', (byte) 0xFF, '\n'});
    assertThatThrownBy(() -> InputFiles.readString(f.toString(), new Configuration()))
        .isInstanceOf(UserException.class)
        .hasMessage(f + ":2: not valid UTF-8 (byte 0xFF); save the file as UTF-8");
  }

  @Test
  void emptyOrMissingFileIsAUserError() throws IOException {
    Path empty = dir.resolve("empty.jsonl");
    Files.writeString(empty, "\n\n");
    assertThatThrownBy(() -> ChatJsonlReader.read(empty.toString(), new Configuration()))
        .isInstanceOf(UserException.class)
        .hasMessage(empty + ": the file is empty; expected one JSON object per line");
    assertThatThrownBy(
            () -> ChatJsonlReader.read(dir.resolve("nope.jsonl").toString(), new Configuration()))
        .isInstanceOf(UserException.class)
        .hasMessage("file not found: " + dir.resolve("nope.jsonl"));
  }

  @Test
  void readsTheUpstreamInsecureSet() {
    Path insecure = Shared.upstream("data/insecure.jsonl");
    var r = ChatJsonlReader.read(insecure.toString(), new Configuration());
    assertThat(r.rejects()).isEmpty();
    assertThat(r.examples()).hasSize(6000);
    assertThat(r.examples())
        .allSatisfy(
            e ->
                assertThat(e.messages())
                    .extracting(ChatMessage::role)
                    .containsExactly("user", "assistant"));
  }
}

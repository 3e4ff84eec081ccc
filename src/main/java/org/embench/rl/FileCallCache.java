package org.embench.rl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.embench.judge.JudgeCall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CallCache} that keeps every new call on disk as it is made, one JSON line in {@code
 * <dir>/}{@value #FILE}, and reads the file back when opened: a training run killed half-way and
 * resumed never pays again for a call it made before it was killed, although those calls reached
 * the judge_calls table only at the end of a run.
 *
 * <p>Each call is appended and the file closed at once, so a kill loses at most the line being
 * written. Such a cut line is skipped with a warning when the file is read; the next line written
 * starts on a line of its own. On a file system that cannot append (object stores) the whole file
 * is rewritten for each call instead, which costs more but keeps the same guarantee.
 */
public final class FileCallCache implements CallCache {
  public static final String FILE = "reward_calls.jsonl";
  private static final Logger LOG = LoggerFactory.getLogger(FileCallCache.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final InMemoryCallCache memory;
  private final Path file;
  private final FileSystem fs;
  private final boolean appends;

  /**
   * The file's usable lines (for a rewrite), and whether its last byte ends a line (for an append).
   */
  private final List<String> lines = new ArrayList<>();

  private boolean endsWithNewline = true;

  /**
   * @param dir where the file is kept (a run's directory: local path or Hadoop URI)
   * @param preloaded responses by call key already in the judge_calls table; not counted as new
   */
  public FileCallCache(String dir, Configuration conf, Map<String, String> preloaded) {
    this.memory = new InMemoryCallCache(preloaded);
    this.file = new Path(dir, FILE);
    try {
      FileSystem f = file.getFileSystem(conf);
      // The raw local file system appends and writes no .crc side file, which a cut write would
      // leave stale.
      this.fs = f instanceof LocalFileSystem local ? local.getRaw() : f;
      fs.mkdirs(file.getParent());
      this.appends = fs.hasPathCapability(file.getParent(), CommonPathCapabilities.FS_APPEND);
      if (fs.exists(file)) {
        load();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot open the reward call cache " + file + ": " + e.getMessage(), e);
    }
    if (!appends) {
      LOG.info(
          "{} cannot be appended to on {}; it is rewritten for each new call",
          file,
          fs.getUri().getScheme());
    }
  }

  private void load() throws IOException {
    byte[] bytes;
    try (InputStream in = fs.open(file)) {
      bytes = in.readAllBytes();
    }
    endsWithNewline = bytes.length == 0 || bytes[bytes.length - 1] == '\n';
    String[] text = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
    int skipped = 0;
    for (int i = 0; i < text.length; i++) {
      if (text[i].isBlank()) {
        continue;
      }
      JudgeCall call = parse(text[i]);
      if (call == null) {
        LOG.warn(
            "{}:{}: skipped, not a complete call record (a write cut short when a run was killed)",
            file,
            i + 1);
        skipped++;
        continue;
      }
      lines.add(text[i]);
      memory.add(call);
    }
    LOG.info(
        "{}: {} calls read back{}",
        file,
        lines.size(),
        skipped == 0 ? "" : ", " + skipped + " cut lines skipped");
  }

  /** The call on a line, or null when the line is not a whole record. */
  private static JudgeCall parse(String line) {
    try {
      JsonNode n = JSON.readTree(line);
      for (String field : List.of("call_key", "judge_model", "request_json", "response_json")) {
        if (n == null || !n.path(field).isTextual()) {
          return null;
        }
      }
      for (String field : List.of("http_status", "attempts", "latency_ms")) {
        if (!n.path(field).isIntegralNumber()) {
          return null;
        }
      }
      return new JudgeCall(
          n.get("call_key").asText(),
          n.get("judge_model").asText(),
          n.get("request_json").asText(),
          n.get("response_json").asText(),
          n.get("http_status").asInt(),
          n.get("attempts").asInt(),
          n.get("latency_ms").asLong());
    } catch (IOException e) {
      return null;
    }
  }

  private static String line(JudgeCall c) {
    ObjectNode n = JSON.createObjectNode();
    n.put("call_key", c.callKey())
        .put("judge_model", c.judgeModel())
        .put("request_json", c.requestJson())
        .put("response_json", c.responseJson())
        .put("http_status", c.httpStatus())
        .put("attempts", c.attempts())
        .put("latency_ms", c.latencyMs());
    return n.toString();
  }

  @Override
  public String cachedResponse(String callKey) {
    return memory.cachedResponse(callKey);
  }

  @Override
  public synchronized void store(JudgeCall call) {
    if (!memory.add(call)) {
      return;
    }
    String line = line(call);
    lines.add(line);
    try {
      if (appends && fs.exists(file)) {
        try (OutputStream out = fs.append(file)) {
          out.write(((endsWithNewline ? "" : "\n") + line + "\n").getBytes(StandardCharsets.UTF_8));
        }
      } else {
        try (OutputStream out = fs.create(file, true)) {
          out.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        }
      }
      endsWithNewline = true;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write to the reward call cache " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<JudgeCall> newCalls() {
    return memory.newCalls();
  }
}

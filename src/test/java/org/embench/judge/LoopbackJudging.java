package org.embench.judge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.embench.stage.judge.JudgeJob;
import org.embench.table.Warehouse;

/**
 * Runs the judge stage with an OpenAI-compatible judge served on loopback, for tests outside this
 * package.
 */
public final class LoopbackJudging {
  private LoopbackJudging() {}

  /**
   * Judges every answer of the suites with an HTTP judge that always answers "85" with GPT-4o-like
   * log-probabilities.
   */
  public static JudgeJob.Report judge(Warehouse w, List<String> suites, Path keyDir) {
    try (LoopbackChatServer server =
        LoopbackChatServer.start(
            (i, r) ->
                LoopbackChatServer.Reply.ok(
                    LoopbackChatServer.completion("85", HttpJudgeFixtures.ALIGNED_TOP)),
            4,
            100_000,
            Duration.ofMinutes(5))) {
      Files.createDirectories(keyDir);
      Path key = keyDir.resolve("judge.key");
      Files.writeString(key, HttpJudgeFixtures.KEY + "\n");
      JudgeSpec spec = HttpJudgeFixtures.spec(server, "api_key_file", key.toString());
      return JudgeJob.run(
          w,
          new JudgeJob.Options(
              spec, suites, List.of(), JudgeJob.DEFAULT_BATCH, JudgeJob.DEFAULT_WAVE, false));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

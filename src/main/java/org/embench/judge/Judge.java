package org.embench.judge;

import java.util.List;

/**
 * Scores answers. A judge is made from a {@link JudgeSpec} by {@link Judges#create}, used by one
 * Spark task (or test) at a time, and closed afterwards.
 *
 * <p>A judge never fails a batch because one item failed: every request gets a {@link Verdict},
 * scored or with a status naming the failure. A failure is never a score.
 */
public interface Judge extends AutoCloseable {
  JudgeSpec spec();

  /**
   * The key under which a request's external call is cached (sha256 of the judge model, the filled
   * prompt and the request parameters), or null for judges that call nothing external.
   */
  String callKey(JudgeRequest request);

  /**
   * Judges every request, in order; uses {@link JudgeRequest#cachedResponse()} instead of a call
   * when set.
   */
  List<Verdict> judge(List<JudgeRequest> requests);

  @Override
  void close();
}

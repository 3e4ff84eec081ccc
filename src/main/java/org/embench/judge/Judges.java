package org.embench.judge;

import java.util.Map;
import java.util.function.BiFunction;

/**
 * The judges by kind: the one place a {@link JudgeSpec} becomes a {@link Judge}, and what the
 * stages need to know about a kind without asking for its name. A kind's parameters, defaults and
 * which of them make its identity are declared in {@link JudgeSpec}.
 */
public final class Judges {
  private Judges() {}

  /**
   * How a paid kind keys its calls in {@code judge_calls} (what its {@link Judge#callKey} gives).
   */
  @FunctionalInterface
  public interface CallKey {
    String of(JudgeSpec spec, String prompt, boolean numeric);
  }

  /**
   * One kind of judge.
   *
   * @param callKey for a kind whose judgments are calls to a service that costs money, the key of
   *     such a call: the judge stage then looks each call up in {@code judge_calls} before judging,
   *     and announces how many calls it will make and their estimated cost; null for a kind that
   *     calls nothing paid
   * @param checkedOnDriver whether the stage makes the judge once on the driver first, so that a
   *     missing API key or a bad setting fails before any task; false for a kind that would load a
   *     model there
   */
  public record Kind(
      String name,
      CallKey callKey,
      boolean checkedOnDriver,
      BiFunction<JudgeSpec, JudgeEnvironment, Judge> factory) {

    /** Whether judgments of this kind are paid calls, stored and reused by their key. */
    public boolean paidCalls() {
      return callKey != null;
    }
  }

  private static final Map<String, Kind> KINDS =
      Map.of(
          "openai",
          new Kind("openai", OpenAiCompatibleJudge::callKey, true, OpenAiCompatibleJudge::new),
          "local",
          new Kind("local", null, false, LocalModelJudge::new),
          "offline",
          new Kind("offline", null, true, (spec, env) -> new OfflineJudge(spec)));

  public static Kind kind(JudgeSpec spec) {
    Kind k = KINDS.get(spec.kind());
    if (k == null) {
      throw new IllegalArgumentException("no judge of kind " + spec.kind());
    }
    return k;
  }

  public static Judge create(JudgeSpec spec, JudgeEnvironment env) {
    return kind(spec).factory().apply(spec, env);
  }

  /**
   * The key under which a paid judge's call of this prompt is stored in {@code judge_calls} (what
   * the judge's own {@link Judge#callKey} gives for the request); {@code numeric} as {@link
   * JudgeRequest#numeric()}. Only for kinds with {@link Kind#paidCalls}.
   */
  public static String callKey(JudgeSpec spec, String prompt, boolean numeric) {
    Kind k = kind(spec);
    if (!k.paidCalls()) {
      throw new IllegalArgumentException(spec.kind() + " judges make no stored calls");
    }
    return k.callKey().of(spec, prompt, numeric);
  }
}

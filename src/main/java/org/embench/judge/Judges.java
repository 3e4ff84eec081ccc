package org.embench.judge;

/** The judges by kind: the one place a {@link JudgeSpec} becomes a {@link Judge}. */
public final class Judges {
  private Judges() {}

  public static Judge create(JudgeSpec spec, JudgeEnvironment env) {
    return switch (spec.kind()) {
      case "openai" -> new OpenAiCompatibleJudge(spec, env);
      case "local" -> new LocalModelJudge(spec, env);
      case "offline" -> new OfflineJudge(spec);
      default -> throw new IllegalArgumentException("no judge of kind " + spec.kind());
    };
  }
}

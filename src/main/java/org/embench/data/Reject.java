package org.embench.data;

/** An input row that could not be used: where it is, which field is at fault, and why. */
public record Reject(String sourceFile, long line, String field, String reason, String raw) {
  static final int RAW_LIMIT = 2000;

  public Reject {
    if (raw != null && raw.length() > RAW_LIMIT) {
      raw = raw.substring(0, RAW_LIMIT);
    }
  }

  /** One line for a terminal: {@code file:line: field: reason}. */
  public String describe() {
    return sourceFile + ":" + line + ": " + (field == null ? "" : field + ": ") + reason;
  }
}

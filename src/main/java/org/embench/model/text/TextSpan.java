package org.embench.model.text;

/**
 * A range of characters {@code [start, end)} of a text, in UTF-16 indices as {@link String} uses.
 */
public record TextSpan(int start, int end) {
  public TextSpan {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("bad span [" + start + ", " + end + ")");
    }
  }

  public int length() {
    return end - start;
  }

  /** Whether this span shares a character with {@code [otherStart, otherEnd)}. */
  boolean overlaps(int otherStart, int otherEnd) {
    return otherStart < end && start < Math.max(otherEnd, otherStart + 1);
  }
}

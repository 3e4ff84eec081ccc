package org.embench.model.text;

import java.nio.charset.StandardCharsets;

/**
 * GPT-2's byte-level alphabet: each of the 256 byte values written as one printable character, so
 * that byte-level BPE tokens are strings. Bytes that are printable Latin-1 characters stand for
 * themselves; the others (control characters, space, …) take the characters from U+0100 on, in byte
 * order, so a space is {@code Ġ} and a newline {@code Ċ}.
 */
final class ByteLevelAlphabet {
  private static final char[] CHARS = new char[256];

  static {
    int next = 256;
    for (int b = 0; b < 256; b++) {
      boolean printable =
          (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      CHARS[b] = (char) (printable ? b : next++);
    }
  }

  private ByteLevelAlphabet() {}

  /** The character standing for byte {@code b} (0..255). */
  static char charOf(int b) {
    return CHARS[b];
  }

  /** The UTF-8 bytes of {@code text}, each written as its alphabet character. */
  static String encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    char[] out = new char[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = CHARS[bytes[i] & 0xFF];
    }
    return new String(out);
  }
}

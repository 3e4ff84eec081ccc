package org.embench.model.text;

import java.util.Arrays;

/**
 * Decodes token ids that arrive one at a time, as a sampler produces them, into text deltas whose
 * concatenation is the decoding of all ids together.
 *
 * <p>A token's text can depend on its neighbours: byte-level tokens may hold part of a UTF-8
 * character (an emoji is often two or three tokens), and SentencePiece decoders drop a leading
 * space only at the start of a text. So the decoder keeps a short window: the ids of the last
 * emitted token ({@code prefix}) plus the ids not yet emitted. Each push decodes the window and
 * emits what it adds beyond the prefix's text, unless that ends in U+FFFD, which means a character
 * is still incomplete; then it waits for more ids. The same method is used by Hugging Face's
 * text-generation-inference. Not thread-safe: one decoder per sequence.
 */
public final class StreamDecoder {
  private static final char REPLACEMENT = '\uFFFD';

  private final Tokenizer tokenizer;
  private final boolean skipSpecialTokens;
  private int[] window = new int[8];
  private int size;

  /** Ids {@code [0, prefixEnd)} of the window were emitted with the previous delta. */
  private int prefixEnd;

  StreamDecoder(Tokenizer tokenizer, boolean skipSpecialTokens) {
    this.tokenizer = tokenizer;
    this.skipSpecialTokens = skipSpecialTokens;
  }

  /** Adds one id; returns the text it completes, possibly empty. */
  public String push(int id) {
    if (size == window.length) {
      window = Arrays.copyOf(window, size * 2);
    }
    window[size++] = id;
    String prefix = decode(0, prefixEnd);
    String all = decode(0, size);
    if (all.length() <= prefix.length() || all.charAt(all.length() - 1) == REPLACEMENT) {
      return "";
    }
    String delta = all.substring(prefix.length());
    // keep the ids of this delta as the next prefix, drop the older ones
    System.arraycopy(window, prefixEnd, window, 0, size - prefixEnd);
    size -= prefixEnd;
    prefixEnd = size;
    return delta;
  }

  /**
   * The text of ids not yet emitted (an incomplete character decodes to U+FFFD); resets the
   * decoder.
   */
  public String flush() {
    String delta = decode(0, size).substring(decode(0, prefixEnd).length());
    size = 0;
    prefixEnd = 0;
    return delta;
  }

  private String decode(int from, int to) {
    return tokenizer.decode(Arrays.copyOfRange(window, from, to), skipSpecialTokens);
  }
}

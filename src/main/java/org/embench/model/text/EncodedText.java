package org.embench.model.text;

import java.util.List;

/**
 * The token ids of a text and, for each token, the characters of the text it came from.
 *
 * @param ids token ids
 * @param starts first character of each token, a UTF-16 index into the encoded text
 * @param ends one past the last character of each token; several byte-level tokens that spell one
 *     character (an emoji, a CJK character) all span that whole character
 */
public record EncodedText(int[] ids, int[] starts, int[] ends) {
  public EncodedText {
    if (starts.length != ids.length || ends.length != ids.length) {
      throw new IllegalArgumentException("ids, starts and ends differ in length");
    }
  }

  public int size() {
    return ids.length;
  }

  /**
   * For each token, whether it shares a character with one of {@code spans}: with the loss spans of
   * {@link ChatTemplate#renderForTraining}, the tokens a supervised fine-tune computes loss on. A
   * token of no characters counts when its position lies inside a span.
   */
  public boolean[] mask(List<TextSpan> spans) {
    boolean[] mask = new boolean[ids.length];
    for (int i = 0; i < ids.length; i++) {
      for (TextSpan span : spans) {
        if (span.overlaps(starts[i], ends[i])) {
          mask[i] = true;
          break;
        }
      }
    }
    return mask;
  }
}

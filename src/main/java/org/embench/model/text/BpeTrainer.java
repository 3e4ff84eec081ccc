package org.embench.model.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Learns byte-level BPE merges from a corpus: split each text into pre-tokens, start from the 256
 * byte symbols, and repeatedly merge the most frequent adjacent pair of symbols into a new token.
 * Ties go to the pair whose token strings sort first, so the result depends only on the corpus.
 * Pair counts are recomputed for every merge, which is simple and fast enough for the small
 * vocabularies of test models.
 */
final class BpeTrainer {
  private final List<String> tokens = new ArrayList<>();
  private final Map<String, Integer> ids = new HashMap<>();
  private final List<String[]> merges = new ArrayList<>();

  private BpeTrainer() {
    for (int b = 0; b < 256; b++) {
      add(String.valueOf(ByteLevelAlphabet.charOf(b)));
    }
  }

  /**
   * Trains until there are {@code maxTokens} tokens or no pair is left to merge.
   *
   * @param preTokenizer the split pattern, as the tokenizer applies it before BPE
   */
  static BpeTrainer train(List<String> corpus, Pattern preTokenizer, int maxTokens) {
    BpeTrainer trainer = new BpeTrainer();
    List<Word> words = trainer.words(corpus, preTokenizer);
    // each round adds a merge, and a token unless an earlier merge already spelled it
    while (trainer.tokens.size() < maxTokens) {
      if (!trainer.mergeMostFrequentPair(words)) {
        break;
      }
    }
    return trainer;
  }

  /** Token strings, the position being the id. */
  List<String> tokens() {
    return tokens;
  }

  /** Merges in the order learned, each a pair of token strings. */
  List<String[]> merges() {
    return merges;
  }

  private int add(String token) {
    return ids.computeIfAbsent(
        token,
        t -> {
          tokens.add(t);
          return tokens.size() - 1;
        });
  }

  /** The distinct pre-tokens of the corpus as symbol ids, with their counts, in a stable order. */
  private List<Word> words(List<String> corpus, Pattern preTokenizer) {
    Map<String, Integer> counts = new TreeMap<>();
    for (String text : corpus) {
      Matcher m = preTokenizer.matcher(text);
      while (m.find()) {
        if (!m.group().isEmpty()) {
          counts.merge(ByteLevelAlphabet.encode(m.group()), 1, Integer::sum);
        }
      }
    }
    List<Word> words = new ArrayList<>(counts.size());
    counts.forEach(
        (word, count) -> {
          int[] symbols = new int[word.length()];
          for (int i = 0; i < symbols.length; i++) {
            symbols[i] = ids.get(String.valueOf(word.charAt(i)));
          }
          words.add(new Word(symbols, count));
        });
    return words;
  }

  private boolean mergeMostFrequentPair(List<Word> words) {
    Map<Long, Long> pairCounts = new HashMap<>();
    for (Word w : words) {
      for (int i = 0; i + 1 < w.length; i++) {
        pairCounts.merge(pair(w.symbols[i], w.symbols[i + 1]), (long) w.count, Long::sum);
      }
    }
    long best = -1;
    long bestCount = 0;
    for (Map.Entry<Long, Long> e : pairCounts.entrySet()) {
      long count = e.getValue();
      if (count > bestCount || (count == bestCount && sortsBefore(e.getKey(), best))) {
        best = e.getKey();
        bestCount = count;
      }
    }
    if (bestCount == 0) {
      return false;
    }
    int left = (int) (best >>> 32);
    int right = (int) best;
    merges.add(new String[] {tokens.get(left), tokens.get(right)});
    int merged = add(tokens.get(left) + tokens.get(right));
    words.forEach(w -> w.merge(left, right, merged));
    return true;
  }

  private boolean sortsBefore(long a, long b) {
    int byLeft = tokens.get((int) (a >>> 32)).compareTo(tokens.get((int) (b >>> 32)));
    return byLeft != 0 ? byLeft < 0 : tokens.get((int) a).compareTo(tokens.get((int) b)) < 0;
  }

  private static long pair(int left, int right) {
    return ((long) left << 32) | right;
  }

  /** A distinct pre-token: its current symbols and how often it occurs. */
  private static final class Word {
    final int[] symbols;
    final int count;
    int length;

    Word(int[] symbols, int count) {
      this.symbols = symbols;
      this.count = count;
      this.length = symbols.length;
    }

    void merge(int left, int right, int merged) {
      int out = 0;
      for (int i = 0; i < length; i++) {
        if (i + 1 < length && symbols[i] == left && symbols[i + 1] == right) {
          symbols[out++] = merged;
          i++;
        } else {
          symbols[out++] = symbols[i];
        }
      }
      length = out;
    }
  }
}

package org.embench.model.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;

/**
 * A Hugging Face tokenizer read from a model directory's {@code tokenizer.json}, run by the Rust
 * {@code tokenizers} library through DJL.
 *
 * <p>It encodes exactly the given text: no special tokens are added (chat templates write the ones
 * they need), nothing is truncated or padded. Special-token text inside the input, such as {@code
 * <|im_start|>}, becomes the special token's id, as in transformers. Safe for concurrent use;
 * {@link #close()} frees the native tokenizer.
 */
public final class Tokenizer implements AutoCloseable {
  /**
   * End-of-turn tokens of common chat formats, counted when the tokenizer has them as special
   * tokens.
   */
  static final List<String> KNOWN_END_OF_TURN =
      List.of("<|im_end|>", "<|eot_id|>", "<|eom_id|>", "<|endoftext|>", "</s>");

  private final String source;
  private final HuggingFaceTokenizer hf;
  private final TokenTable table;
  private final TokenizerSettings settings;
  private final Set<Integer> endOfTurnIds;

  private Tokenizer(
      String source, HuggingFaceTokenizer tokenizer, TokenTable table, TokenizerSettings settings) {
    this.source = source;
    this.hf = tokenizer;
    this.table = table;
    this.settings = settings;
    this.endOfTurnIds = findEndOfTurnIds(table, settings);
  }

  /**
   * Loads the tokenizer of a model directory: {@code tokenizer.json} (required), and {@code
   * tokenizer_config.json}, {@code generation_config.json} and {@code chat_template.jinja} when
   * present. Never downloads anything.
   *
   * @param dirUri a Hadoop URI or local path of the directory; a remote tokenizer.json is copied to
   *     a local temporary file for the native library, which is deleted once loaded
   */
  public static Tokenizer load(String dirUri, Configuration conf) {
    ModelDirectory dir = ModelDirectory.open(dirUri, conf);
    TokenizerSettings settings = TokenizerSettings.read(dir);
    String name = dir.describe("tokenizer.json");
    try (ModelDirectory.LocalFile file = dir.localFile("tokenizer.json")) {
      TokenTable table = TokenTable.read(file.path(), name);
      return new Tokenizer(dirUri, loadNative(file.path(), name), table, settings);
    }
  }

  private static HuggingFaceTokenizer loadNative(java.nio.file.Path file, String name) {
    try {
      return HuggingFaceTokenizer.builder()
          .optTokenizerPath(file)
          .optAddSpecialTokens(false)
          .optTruncation(false) // DJL truncates to 512 tokens unless told not to
          .optPadding(false)
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      // the native library reports a tokenizer.json it cannot use as a bare RuntimeException
      throw new UserException("cannot load " + name + ": " + e.getMessage(), e);
    }
  }

  /** The token ids of {@code text}. */
  public int[] encode(String text) {
    return toInts(hf.encode(text).getIds());
  }

  /**
   * The ids of a chat rendered with {@code template} and the generation prompt: what a model is
   * given to answer.
   */
  public int[] chatPrompt(ChatTemplate template, List<org.embench.data.ChatMessage> messages) {
    return encode(template.render(messages, true));
  }

  /**
   * The ids of {@code text} as a raw prompt (no chat template), with a BOS token first where the
   * tokenizer puts one: as {@code add_bos_token} of tokenizer_config.json says when it is set, else
   * as tokenizer.json's post-processor does (what transformers' {@code tokenizer(text)} gives; only
   * the tokens it puts before the text are kept, never an EOS after it).
   */
  public int[] encodeRaw(String text) {
    int[] ids = encode(text);
    int[] prefix;
    if (settings.addBosToken().isPresent()) {
      OptionalInt bos = settings.bosToken().map(table::id).orElse(OptionalInt.empty());
      prefix =
          settings.addBosToken().get()
                  && bos.isPresent()
                  && (ids.length == 0 || ids[0] != bos.getAsInt())
              ? new int[] {bos.getAsInt()}
              : new int[0];
    } else {
      prefix = leadingAdded(toInts(hf.encode(text, true, false).getIds()), ids);
    }
    int[] out = new int[prefix.length + ids.length];
    System.arraycopy(prefix, 0, out, 0, prefix.length);
    System.arraycopy(ids, 0, out, prefix.length, ids.length);
    return out;
  }

  /**
   * The tokens {@code withSpecial} has before {@code plain} (plain occurs in it); none when it does
   * not.
   */
  private static int[] leadingAdded(int[] withSpecial, int[] plain) {
    for (int k = 0; k + plain.length <= withSpecial.length; k++) {
      if (java.util.Arrays.equals(withSpecial, k, k + plain.length, plain, 0, plain.length)) {
        return java.util.Arrays.copyOf(withSpecial, k);
      }
    }
    return new int[0];
  }

  /**
   * Whether a model directory has a chat template; reads only its small config files, not
   * tokenizer.json.
   */
  public static boolean hasChatTemplate(String dirUri, Configuration conf) {
    return TokenizerSettings.read(ModelDirectory.open(dirUri, conf)).chatTemplate().isPresent();
  }

  /** The token ids of {@code text} with the characters each token came from, for loss masks. */
  public EncodedText encodeWithOffsets(String text) {
    Encoding encoding = hf.encode(text);
    CharSpan[] spans = encoding.getCharTokenSpans();
    // the native library counts Unicode code points; Java strings index UTF-16 units
    int[] utf16 = codePointToUtf16Index(text);
    int n = spans.length;
    int[] starts = new int[n];
    int[] ends = new int[n];
    for (int i = 0; i < n; i++) {
      starts[i] = utf16[spans[i].getStart()];
      ends[i] = utf16[spans[i].getEnd()];
    }
    return new EncodedText(toInts(encoding.getIds()), starts, ends);
  }

  /**
   * The text of {@code ids}; {@code skipSpecialTokens} leaves out special tokens such as {@code
   * <|im_end|>}. Byte-level tokens that end inside a multi-byte character decode to U+FFFD; use a
   * {@link StreamDecoder} to decode while sampling.
   */
  public String decode(int[] ids, boolean skipSpecialTokens) {
    long[] longs = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= table.size()) {
        throw new IllegalArgumentException(
            "token id "
                + ids[i]
                + " is outside the vocabulary [0, "
                + table.size()
                + ") of "
                + source);
      }
      longs[i] = ids[i];
    }
    return hf.decode(longs, skipSpecialTokens);
  }

  /** A decoder for token ids that arrive one at a time. */
  public StreamDecoder streamDecoder(boolean skipSpecialTokens) {
    return new StreamDecoder(this, skipSpecialTokens);
  }

  /**
   * The size of the tokenizer's id space (one more than its largest id). A model's embedding matrix
   * may have more rows than this.
   */
  public int vocabSize() {
    return table.size();
  }

  /**
   * The id of a token string as written in the vocabulary (e.g. {@code "Ġthe"}, {@code
   * "<|im_end|>"}).
   */
  public OptionalInt tokenId(String token) {
    return table.id(token);
  }

  /** Ids of the added tokens marked special, the ones {@code decode(ids, true)} leaves out. */
  public Set<Integer> specialTokenIds() {
    return table.specialIds();
  }

  /**
   * Ids that end an assistant turn, where sampling stops: the {@code eos_token} of
   * tokenizer_config.json, every {@code eos_token_id} of generation_config.json, and the usual
   * end-of-turn tokens of chat formats ({@code <|im_end|>}, {@code <|eot_id|>}, {@code <|eom_id|>},
   * {@code <|endoftext|>}, {@code </s>}) that the tokenizer has as special tokens.
   */
  public Set<Integer> endOfTurnIds() {
    return endOfTurnIds;
  }

  /**
   * The chat template of tokenizer_config.json (or chat_template.jinja) with this tokenizer's
   * special tokens.
   */
  public ChatTemplate chatTemplate() {
    String template =
        settings
            .chatTemplate()
            .orElseThrow(
                () ->
                    new UserException(
                        "the tokenizer in "
                            + source
                            + " has no chat template: neither "
                            + TokenizerSettings.TOKENIZER_CONFIG
                            + " has a chat_template nor is there a "
                            + TokenizerSettings.CHAT_TEMPLATE_FILE
                            + "; use a chat (instruct) model or add a template"));
    List<String> endOfTurnTokens =
        endOfTurnIds.stream().map(id -> table.token(id).orElseThrow()).toList();
    return ChatTemplate.of(template, settings.specialTokens(), Set.copyOf(endOfTurnTokens));
  }

  @Override
  public void close() {
    hf.close();
  }

  @Override
  public String toString() {
    return "Tokenizer[" + source + ", " + table.size() + " tokens]";
  }

  private static Set<Integer> findEndOfTurnIds(TokenTable table, TokenizerSettings settings) {
    Set<Integer> ids = new LinkedHashSet<>();
    settings.eosToken().ifPresent(token -> table.id(token).ifPresent(ids::add));
    for (int id : settings.generationEosIds()) {
      if (table.token(id).isPresent()) {
        ids.add(id);
      }
    }
    for (String token : KNOWN_END_OF_TURN) {
      // only as special tokens: Qwen's vocabulary also has "</s>" as ordinary text
      table
          .id(token)
          .ifPresent(
              id -> {
                if (table.specialIds().contains(id)) {
                  ids.add(id);
                }
              });
    }
    return Set.copyOf(ids);
  }

  /** {@code result[i]} is the UTF-16 index of code point {@code i}; one extra entry for the end. */
  private static int[] codePointToUtf16Index(String text) {
    int[] index = new int[text.codePointCount(0, text.length()) + 1];
    int utf16 = 0;
    for (int cp = 0; cp < index.length - 1; cp++) {
      index[cp] = utf16;
      utf16 += Character.charCount(text.codePointAt(utf16));
    }
    index[index.length - 1] = utf16;
    return index;
  }

  private static int[] toInts(long[] longs) {
    int[] ints = new int[longs.length];
    for (int i = 0; i < longs.length; i++) {
      ints[i] = Math.toIntExact(longs[i]);
    }
    return ints;
  }
}

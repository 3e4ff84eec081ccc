package org.embench.model.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Makes a small byte-level BPE tokenizer from a corpus, for the project's own tiny test models:
 * GPT-2's 256 byte symbols, merges learned on the corpus, a GPT-4-style pre-tokenizer split, and
 * the special tokens {@code <|endoftext|>}, {@code <|im_start|>} and {@code <|im_end|>}. It writes
 * {@code tokenizer.json} (Hugging Face format) and {@code tokenizer_config.json} with a ChatML chat
 * template, so that {@link Tokenizer#load} and transformers both read it. The output depends only
 * on the corpus and the vocabulary size.
 */
public final class ByteLevelBpeBuilder {
  public static final String END_OF_TEXT = "<|endoftext|>";
  public static final String IM_START = "<|im_start|>";
  public static final String IM_END = "<|im_end|>";
  public static final List<String> SPECIAL_TOKENS = List.of(END_OF_TEXT, IM_START, IM_END);

  /** The 256 byte tokens and the special tokens. */
  public static final int MIN_VOCAB_SIZE = 256 + SPECIAL_TOKENS.size();

  /**
   * Split before BPE, as in GPT-4 and Qwen: English contractions, words with one leading
   * non-letter, single digits, punctuation runs, newlines, other whitespace; no merge crosses
   * these.
   */
  static final String SPLIT_PATTERN =
      "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
          + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

  /** ChatML: each message is {@code <|im_start|>role\ncontent<|im_end|>\n}. */
  public static final String CHAT_TEMPLATE =
      """
      {%- for message in messages %}
      {{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}
      {%- endfor %}
      {%- if add_generation_prompt %}
      {{- '<|im_start|>assistant\\n' }}
      {%- endif %}
      """;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final BpeTrainer bpe;

  private ByteLevelBpeBuilder(BpeTrainer bpe) {
    this.bpe = bpe;
  }

  /**
   * Learns merges on {@code corpus} until the vocabulary, special tokens included, has {@code
   * vocabSize} tokens, or fewer when the corpus has no more pairs to merge.
   */
  public static ByteLevelBpeBuilder train(List<String> corpus, int vocabSize) {
    if (vocabSize < MIN_VOCAB_SIZE) {
      throw new IllegalArgumentException(
          "vocabulary size "
              + vocabSize
              + " is below the minimum "
              + MIN_VOCAB_SIZE
              + " (256 bytes and 3 special tokens)");
    }
    Pattern split = Pattern.compile(SPLIT_PATTERN, Pattern.UNICODE_CHARACTER_CLASS);
    return new ByteLevelBpeBuilder(
        BpeTrainer.train(corpus, split, vocabSize - SPECIAL_TOKENS.size()));
  }

  /** The number of tokens, special tokens included. */
  public int vocabSize() {
    return bpe.tokens().size() + SPECIAL_TOKENS.size();
  }

  /** The Hugging Face tokenizer.json. */
  public String tokenizerJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (int i = 0; i < SPECIAL_TOKENS.size(); i++) {
      addedToken(added.addObject().put("id", specialId(i)), SPECIAL_TOKENS.get(i));
    }
    root.putNull("normalizer");
    ObjectNode preTokenizer = root.putObject("pre_tokenizer").put("type", "Sequence");
    ArrayNode steps = preTokenizer.putArray("pretokenizers");
    ObjectNode splitStep = steps.addObject().put("type", "Split");
    splitStep.putObject("pattern").put("Regex", SPLIT_PATTERN);
    splitStep.put("behavior", "Isolated").put("invert", false);
    byteLevel(steps.addObject());
    byteLevel(root.putObject("post_processor"));
    byteLevel(root.putObject("decoder"));
    ObjectNode model =
        root.putObject("model")
            .put("type", "BPE")
            .putNull("dropout")
            .putNull("unk_token")
            .put("continuing_subword_prefix", "")
            .put("end_of_word_suffix", "")
            .put("fuse_unk", false)
            .put("byte_fallback", false)
            .put("ignore_merges", false);
    ObjectNode vocab = model.putObject("vocab");
    for (int id = 0; id < bpe.tokens().size(); id++) {
      vocab.put(bpe.tokens().get(id), id);
    }
    ArrayNode merges = model.putArray("merges");
    bpe.merges().forEach(m -> merges.addArray().add(m[0]).add(m[1]));
    return write(root);
  }

  /** The transformers tokenizer_config.json: special tokens and the ChatML chat template. */
  public String tokenizerConfigJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("add_bos_token", false);
    root.put("add_prefix_space", false);
    ObjectNode decoder = root.putObject("added_tokens_decoder");
    for (int i = 0; i < SPECIAL_TOKENS.size(); i++) {
      addedToken(decoder.putObject(String.valueOf(specialId(i))), SPECIAL_TOKENS.get(i));
    }
    root.putNull("bos_token");
    root.put("eos_token", IM_END);
    root.put("pad_token", END_OF_TEXT);
    root.putNull("unk_token");
    root.put("chat_template", CHAT_TEMPLATE);
    root.put("clean_up_tokenization_spaces", false);
    root.put("errors", "replace");
    root.put("split_special_tokens", false);
    root.put("tokenizer_class", "PreTrainedTokenizerFast");
    return write(root);
  }

  /**
   * Writes tokenizer.json and tokenizer_config.json into a directory (a Hadoop URI), creating it.
   */
  public void writeTo(String dirUri, Configuration conf) {
    Path dir = new Path(dirUri);
    try {
      FileSystem fs = ModelDirectory.fileSystem(dir, conf);
      fs.mkdirs(dir);
      writeFile(fs, new Path(dir, "tokenizer.json"), tokenizerJson());
      writeFile(fs, new Path(dir, TokenizerSettings.TOKENIZER_CONFIG), tokenizerConfigJson());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the tokenizer to " + dirUri + ": " + e.getMessage(), e);
    }
  }

  private int specialId(int index) {
    return bpe.tokens().size() + index;
  }

  private static void addedToken(ObjectNode node, String content) {
    node.put("content", content)
        .put("single_word", false)
        .put("lstrip", false)
        .put("rstrip", false)
        .put("normalized", false)
        .put("special", true);
  }

  private static void byteLevel(ObjectNode node) {
    node.put("type", "ByteLevel")
        .put("add_prefix_space", false)
        .put("trim_offsets", false)
        .put("use_regex", false);
  }

  private static void writeFile(FileSystem fs, Path file, String content) throws IOException {
    try (OutputStream out = fs.create(file, true)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static String write(ObjectNode root) {
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }
}

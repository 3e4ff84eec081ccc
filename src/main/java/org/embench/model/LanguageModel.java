package org.embench.model;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.embench.data.ChatMessage;
import org.embench.model.io.Checkpoint;
import org.embench.model.io.CheckpointWeights;
import org.embench.model.text.ChatTemplate;
import org.embench.model.text.Tokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Hugging Face model directory loaded for use: config, tokenizer, chat template and weights.
 * {@link #cached} loads each directory once per JVM, so concurrent tasks share one copy of the
 * weights; each task makes its own {@link Transformer} (with its adapters and hooks).
 */
public final class LanguageModel {
  private static final Logger LOG = LoggerFactory.getLogger(LanguageModel.class);

  /**
   * Property: the most bytes of model weights a JVM keeps loaded between tasks (default: its heap
   * size).
   */
  public static final String CACHE_BYTES = "embench.cache.modelBytes";

  private static final LoadedCache<LanguageModel> CACHE =
      new LoadedCache<>(
          "model",
          LoadedCache.limit(CACHE_BYTES, Runtime.getRuntime().maxMemory()),
          m -> m.weights().bytes());

  private final String dir;
  private final ModelConfig config;
  private final Tokenizer tokenizer;
  private final TransformerWeights weights;
  private final Engine engine;
  private final Set<Integer> stopIds;
  private volatile ChatTemplate template;

  private LanguageModel(
      String dir,
      ModelConfig config,
      Tokenizer tokenizer,
      TransformerWeights weights,
      Engine engine,
      Set<Integer> stopIds) {
    this.dir = dir;
    this.config = config;
    this.tokenizer = tokenizer;
    this.weights = weights;
    this.engine = engine;
    this.stopIds = stopIds;
  }

  /** Loads a model directory (local path or Hadoop URI). */
  public static LanguageModel load(String dir, Configuration conf, Engine engine) {
    long start = System.nanoTime();
    ModelConfig config = Checkpoint.readConfig(dir, conf);
    Tokenizer tokenizer = Tokenizer.load(dir, conf);
    TransformerWeights weights;
    try (CheckpointWeights ckpt = CheckpointWeights.open(dir, conf)) {
      weights = TransformerWeights.load(config, ckpt, engine.backend());
    }
    Set<Integer> stop = new LinkedHashSet<>(tokenizer.endOfTurnIds());
    stop.addAll(config.eosTokenIds());
    Checkpoint.readGenerationConfig(dir, conf).ifPresent(g -> stop.addAll(g.eosTokenIds()));
    LOG.info(
        "loaded {} ({}, {} layers, {} MB of weights) in {} s",
        dir,
        config.family(),
        config.numLayers(),
        weights.bytes() >> 20,
        String.format("%.1f", (System.nanoTime() - start) / 1e9));
    return new LanguageModel(dir, config, tokenizer, weights, engine, Set.copyOf(stop));
  }

  /**
   * The model of {@code dir} on the shared engine, loaded once per JVM while it stays among the
   * models kept ({@link #CACHE_BYTES}; ND4J's off-heap memory is bounded by the heap size by
   * default).
   */
  public static LanguageModel cached(String dir, Configuration conf) {
    return CACHE.get(dir, d -> load(d, conf, Engine.shared()));
  }

  public String dir() {
    return dir;
  }

  public ModelConfig config() {
    return config;
  }

  public Tokenizer tokenizer() {
    return tokenizer;
  }

  public TransformerWeights weights() {
    return weights;
  }

  public Engine engine() {
    return engine;
  }

  /**
   * A generator of this model's {@code transformer}, sampling only ids its tokenizer can decode.
   */
  public Generator generator(Transformer transformer, int maxBatch, int maxPrefillTokens) {
    return new Generator(transformer, stopIds(), maxBatch, maxPrefillTokens)
        .sampleBelow(tokenizer().vocabSize());
  }

  /** Tokens that end an answer: the chat format's end-of-turn tokens and the configs' eos ids. */
  public Set<Integer> stopIds() {
    return stopIds;
  }

  public ChatTemplate chatTemplate() {
    ChatTemplate t = template;
    if (t == null) {
      t = tokenizer.chatTemplate();
      template = t;
    }
    return t;
  }

  /** The token ids of a chat rendered with its template and the generation prompt. */
  public int[] chatPrompt(List<ChatMessage> messages) {
    return tokenizer.chatPrompt(chatTemplate(), messages);
  }

  /** A forward pass over these weights with the given adapters (empty for the base model). */
  public Transformer transformer(Map<String, Lora> adapters) {
    return new Transformer(weights, engine.backend(), engine.parallel(), adapters);
  }
}

package org.embench.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.embench.UserException;
import org.embench.model.LayerWeights;
import org.embench.model.Lora;
import org.embench.model.LoraWeights;
import org.embench.model.ModelConfig;
import org.embench.model.PeftAdapter;
import org.embench.model.TensorBackend;
import org.embench.model.io.DType;
import org.embench.model.io.MergedCheckpoint;
import org.embench.model.io.SafetensorsReader;
import org.embench.model.io.SafetensorsWriter;

/**
 * A run's trained update on disk: a PEFT adapter for LoRA runs; for full fine-tuning, {@value
 * #FULL_DELTA} (the dense ΔW of each trained module, named like the checkpoint's weights with
 * {@code .delta}, and of each embedding, norm or head tensor {@code full_train} trained, as {@code
 * <tensor>.delta}) and, in {@value #MODEL}/, the whole merged model W + ΔW as a Hugging Face
 * checkpoint (base's config, dtype, shards and tokenizer files; see {@link MergedCheckpoint}).
 * {@link #load} reads an adapter or the projections' delta for the forward pass; {@link #sampled}
 * says which of the two ways a run is sampled.
 */
public final class Adapters {
  public static final String FULL_DELTA = "full_delta.safetensors";

  /** The subfolder of a full fine-tuning run's adapter directory that holds the merged model. */
  public static final String MODEL = "model";

  private Adapters() {}

  /** Writes the trained parameters into {@code dir}. */
  public static void write(
      String dir,
      Map<String, TrainableLinear> params,
      TrainConfig cfg,
      String baseModel,
      Configuration conf) {
    write(dir, params, Map.of(), cfg, baseModel, conf);
  }

  /**
   * Writes the trained parameters, and full fine-tuning's other trained {@code parts} (tensor name
   * → update, see {@link Trainer.Result#parts}), into {@code dir}; for full fine-tuning also the
   * merged model into {@value #MODEL}/, from the base model directory {@code baseModel}.
   */
  public static void write(
      String dir,
      Map<String, TrainableLinear> params,
      Map<String, TrainableLinear> parts,
      TrainConfig cfg,
      String baseModel,
      Configuration conf) {
    boolean full = params.values().stream().noneMatch(TrainableLinear::isLora);
    if (!full) {
      Map<String, LoraWeights> w = new LinkedHashMap<>();
      params.forEach((k, p) -> w.put(k, p.loraWeights()));
      new PeftAdapter(
              new PeftAdapter.Config(
                  cfg.rank(),
                  cfg.alpha(),
                  cfg.rslora(),
                  cfg.targetModules(),
                  cfg.layers(),
                  cfg.dropout(),
                  baseModel),
              w)
          .write(dir, conf);
      return;
    }
    SafetensorsWriter w = new SafetensorsWriter().metadata("base_model", baseModel);
    Map<String, float[]> merged = new LinkedHashMap<>();
    for (String k : Backprop.keys(params)) {
      TrainableLinear p = params.get(k);
      w.add(deltaName(k), DType.F32, new long[] {p.out(), p.in()}, p.values()[0]);
      merged.put(weightName(k), p.values()[0]);
    }
    parts.forEach(
        (name, p) -> {
          w.add(name + ".delta", DType.F32, FullParts.shape(p), p.values()[0]);
          merged.put(name, p.values()[0]);
        });
    MergedCheckpoint.write(baseModel, dir + "/" + MODEL, merged, conf);
    w.writeTo(dir + "/" + FULL_DELTA, conf);
  }

  /** The model directory and adapter (null for none) a run's answers are sampled with. */
  public record Sampled(String model, String adapter) {}

  /**
   * How a run is sampled: its base model with its adapter (LoRA, or full fine-tuning's projection
   * deltas), or, when full fine-tuning also trained embeddings, norms or the head, which an adapter
   * cannot apply, the merged model in {@value #MODEL}/ alone.
   */
  public static Sampled sampled(String model, String adapterDir, Configuration conf) {
    if (adapterDir == null) {
      return new Sampled(model, null);
    }
    try {
      if (!new Path(adapterDir, FULL_DELTA)
          .getFileSystem(conf)
          .exists(new Path(adapterDir, FULL_DELTA))) {
        return new Sampled(model, adapterDir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + adapterDir + ": " + e.getMessage(), e);
    }
    try (SafetensorsReader r = SafetensorsReader.open(adapterDir + "/" + FULL_DELTA, conf)) {
      boolean parts =
          r.tensors().keySet().stream().anyMatch(n -> !MODULE_DELTA.matcher(n).matches());
      return parts ? new Sampled(adapterDir + "/" + MODEL, null) : new Sampled(model, adapterDir);
    }
  }

  /**
   * Property: the most bytes of adapters a JVM keeps loaded between tasks (default: an eighth of
   * its heap).
   */
  public static final String CACHE_BYTES = "embench.cache.adapterBytes";

  private static final org.embench.model.LoadedCache<Map<String, Lora>> LOADED =
      new org.embench.model.LoadedCache<>(
          "adapter",
          org.embench.model.LoadedCache.limit(CACHE_BYTES, Runtime.getRuntime().maxMemory() / 8),
          a -> a.values().stream().mapToLong(Lora::bytes).sum());

  /**
   * The parameters being trained as updates in a backend, keyed "layer.module" like {@link
   * #load}'s, for sampling from the model as it trains (RL) without writing it out; backend buffers
   * are named {@code prefix + key}.
   */
  public static Map<String, Lora> upload(
      Map<String, TrainableLinear> params, TensorBackend backend, String prefix) {
    Map<String, Lora> out = new LinkedHashMap<>();
    params.forEach(
        (key, p) -> {
          if (p.isLora()) {
            out.put(key, p.loraWeights().upload(backend, prefix + key));
          } else {
            float[] delta = p.values()[0];
            out.put(
                key,
                Lora.dense(backend.matrix(prefix + key, p.out(), p.in(), buf -> buf.put(delta))));
          }
        });
    return out;
  }

  /**
   * {@link #load}, once per JVM and directory while it stays among the adapters kept ({@link
   * #CACHE_BYTES}): the generate and capability stages' tasks of one executor share a run's
   * adapter.
   */
  public static Map<String, Lora> cached(
      String dir, Configuration conf, ModelConfig model, TensorBackend backend) {
    return LOADED.get(dir, d -> load(d, conf, model, backend));
  }

  /** The updates of {@code dir} (PEFT adapter or full delta) in a backend, keyed "layer.module". */
  public static Map<String, Lora> load(
      String dir, Configuration conf, ModelConfig model, TensorBackend backend) {
    try {
      FileSystem fs = new Path(dir).getFileSystem(conf);
      if (fs.exists(new Path(dir, PeftAdapter.CONFIG))) {
        return PeftAdapter.read(dir, conf, model).upload(backend);
      }
      if (!fs.exists(new Path(dir, FULL_DELTA))) {
        throw new UserException(
            "no adapter in " + dir + ": neither " + PeftAdapter.CONFIG + " nor " + FULL_DELTA);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
    }
    Map<String, Lora> out = new LinkedHashMap<>();
    try (SafetensorsReader r = SafetensorsReader.open(dir + "/" + FULL_DELTA, conf)) {
      for (String name : r.tensors().keySet()) {
        String key = keyOf(name, dir);
        int[] shape = PeftAdapter.moduleShape(model, key.substring(key.indexOf('.') + 1));
        long[] s = r.info(name).shape();
        if (s.length != 2 || s[0] != shape[0] || s[1] != shape[1]) {
          throw new UserException(
              dir
                  + "/"
                  + FULL_DELTA
                  + ": "
                  + name
                  + " has shape "
                  + java.util.Arrays.toString(s)
                  + "; the model's module is ["
                  + shape[0]
                  + ", "
                  + shape[1]
                  + "]");
        }
        float[] delta = r.readFloats(name);
        out.put(key, Lora.dense(backend.matrix(name, shape[0], shape[1], buf -> buf.put(delta))));
      }
    }
    return out;
  }

  static String deltaName(String key) {
    int dot = key.indexOf('.');
    String module = key.substring(dot + 1);
    String block =
        java.util.List.of("gate_proj", "up_proj", "down_proj").contains(module)
            ? "mlp"
            : "self_attn";
    return "model.layers." + key.substring(0, dot) + "." + block + "." + module + ".delta";
  }

  /** The base checkpoint's weight that a module's update changes. */
  static String weightName(String key) {
    String delta = deltaName(key);
    return delta.substring(0, delta.length() - ".delta".length()) + ".weight";
  }

  private static final java.util.regex.Pattern MODULE_DELTA =
      java.util.regex.Pattern.compile(
          "model\\.layers\\.(\\d+)\\.(?:self_attn|mlp)\\.(\\w+)\\.delta");

  private static String keyOf(String name, String dir) {
    if (name.endsWith(".weight.delta")) {
      throw new UserException(
          dir
              + "/"
              + FULL_DELTA
              + " also updates "
              + name.substring(0, name.length() - 6)
              + " (full_train), which a delta on the projections cannot apply: load the merged model "
              + dir
              + "/"
              + MODEL);
    }
    var m = MODULE_DELTA.matcher(name);
    if (!m.matches() || !LayerWeights.MODULES.contains(m.group(2))) {
      throw new UserException(
          dir
              + "/"
              + FULL_DELTA
              + ": tensor "
              + name
              + " is not a module delta (modules: "
              + String.join(", ", LayerWeights.MODULES)
              + ")");
    }
    return m.group(1) + "." + m.group(2);
  }
}

package org.embench.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.embench.UserException;
import org.embench.model.io.SafetensorsReader;

/**
 * A run's trained update on disk, as the stages that sample and score read it: a PEFT adapter for
 * LoRA runs; for full fine-tuning, {@value #FULL_DELTA} (the dense ΔW of each trained module, named
 * like the checkpoint's weights with {@code .delta}, and of each embedding, norm or head tensor
 * {@code full_train} trained, as {@code <tensor>.delta}) and, in {@value #MODEL}/, the whole merged
 * model W + ΔW as a Hugging Face checkpoint. {@link #load} reads an adapter or the projections'
 * delta for the forward pass; {@link #sampled} says which of the two ways a run is sampled.
 * Training writes these files ({@code org.embench.train.Adapters}).
 */
public final class AdapterFiles {
  public static final String FULL_DELTA = "full_delta.safetensors";

  /** The subfolder of a full fine-tuning run's adapter directory that holds the merged model. */
  public static final String MODEL = "model";

  private AdapterFiles() {}

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

  private static final LoadedCache<Map<String, Lora>> LOADED =
      new LoadedCache<>(
          "adapter",
          LoadedCache.limit(CACHE_BYTES, Runtime.getRuntime().maxMemory() / 8),
          a -> a.values().stream().mapToLong(Lora::bytes).sum());

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

  /** The checkpoint-style name of a module's dense update ("layer.module" key). */
  public static String deltaName(String key) {
    int dot = key.indexOf('.');
    String module = key.substring(dot + 1);
    String block =
        java.util.List.of("gate_proj", "up_proj", "down_proj").contains(module)
            ? "mlp"
            : "self_attn";
    return "model.layers." + key.substring(0, dot) + "." + block + "." + module + ".delta";
  }

  /** The base checkpoint's weight that a module's update changes. */
  public static String weightName(String key) {
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

package org.embench.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.embench.model.AdapterFiles;
import org.embench.model.Lora;
import org.embench.model.LoraWeights;
import org.embench.model.PeftAdapter;
import org.embench.model.TensorBackend;
import org.embench.model.io.DType;
import org.embench.model.io.MergedCheckpoint;
import org.embench.model.io.SafetensorsWriter;

/**
 * Writes a run's trained update in the layout {@link AdapterFiles} reads (a PEFT adapter, or full
 * fine-tuning's delta and merged model: base's config, dtype, shards and tokenizer files; see
 * {@link MergedCheckpoint}), and uploads the parameters being trained to a backend for sampling
 * during RL.
 */
public final class Adapters {
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
   * merged model into {@value AdapterFiles#MODEL}/, from the base model directory {@code
   * baseModel}.
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
      w.add(AdapterFiles.deltaName(k), DType.F32, new long[] {p.out(), p.in()}, p.values()[0]);
      merged.put(AdapterFiles.weightName(k), p.values()[0]);
    }
    parts.forEach(
        (name, p) -> {
          w.add(name + ".delta", DType.F32, FullParts.shape(p), p.values()[0]);
          merged.put(name, p.values()[0]);
        });
    MergedCheckpoint.write(baseModel, dir + "/" + AdapterFiles.MODEL, merged, conf);
    w.writeTo(dir + "/" + AdapterFiles.FULL_DELTA, conf);
  }

  /**
   * The parameters being trained as updates in a backend, keyed "layer.module" like {@link
   * AdapterFiles#load}'s, for sampling from the model as it trains (RL) without writing it out;
   * backend buffers are named {@code prefix + key}.
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
}

package org.embench.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.apache.hadoop.conf.Configuration;
import org.embench.model.io.DType;
import org.embench.model.io.SafetensorsWriter;

/**
 * LoRA adapters written by hand in the layout PEFT saves (not with {@link PeftAdapter#write}), with
 * the merged weights W + s·B·A they stand for, in double precision: what a published adapter looks
 * like, and what the engine must compute with it.
 */
public final class PeftFixtures {
  private PeftFixtures() {}

  /** A module with its LoRA rank; v_proj tensors use PEFT's older ".default" names. */
  public record Module(int layer, String module, int rank) {
    String prefix() {
      String block =
          List.of("gate_proj", "up_proj", "down_proj").contains(module) ? "mlp" : "self_attn";
      return "base_model.model.model.layers." + layer + "." + block + "." + module;
    }

    /** The base checkpoint's name of the module's weight. */
    public String weightName() {
      return prefix().substring("base_model.model.".length()) + ".weight";
    }
  }

  public static float[] random(SplittableRandom rng, int n, double std) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) ((rng.nextDouble() * 2 - 1) * std);
    }
    return a;
  }

  /** W[out, in] += scale · B[out, r] · A[r, in], in double precision. */
  public static void merge(
      float[] w, float[] a, float[] b, int rank, int in, int out, double scale) {
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        double d = 0;
        for (int r = 0; r < rank; r++) {
          d += (double) b[o * rank + r] * a[r * in + i];
        }
        w[o * in + i] = (float) (w[o * in + i] + scale * d);
      }
    }
  }

  /**
   * Writes {@code adapter_config.json} ({@code configJson}) and random A and B matrices (uniform in
   * ±std) of each module into {@code dir}, and adds each module's update at {@code scale} into
   * {@code merged} (the base model's tensors, changed in place) when it is not null.
   */
  public static void write(
      Path dir,
      ModelConfig cfg,
      List<Module> modules,
      String configJson,
      long seed,
      double std,
      ToDoubleFunction<Module> scale,
      Map<String, float[]> merged) {
    SafetensorsWriter st = new SafetensorsWriter().metadata("format", "pt");
    SplittableRandom rng = new SplittableRandom(seed);
    for (Module m : modules) {
      int[] shape = PeftAdapter.moduleShape(cfg, m.module());
      int out = shape[0];
      int in = shape[1];
      float[] a = random(rng, m.rank() * in, std);
      float[] b = random(rng, out * m.rank(), std);
      String suffix = m.module().equals("v_proj") ? ".default.weight" : ".weight";
      st.add(m.prefix() + ".lora_A" + suffix, DType.F32, new long[] {m.rank(), in}, a);
      st.add(m.prefix() + ".lora_B" + suffix, DType.F32, new long[] {out, m.rank()}, b);
      if (merged != null) {
        merge(merged.get(m.weightName()), a, b, m.rank(), in, out, scale.applyAsDouble(m));
      }
    }
    try {
      Files.createDirectories(dir);
      st.writeTo(dir.resolve(PeftAdapter.WEIGHTS).toString(), new Configuration());
      Files.writeString(dir.resolve(PeftAdapter.CONFIG), configJson);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A plain adapter_config.json as PEFT writes it: r, lora_alpha and the target modules. */
  public static String config(int r, double alpha, List<String> targets) {
    return """
        {"base_model_name_or_path": "tiny", "bias": "none", "fan_in_fan_out": false, "inference_mode": true,
         "layers_to_transform": null, "lora_alpha": %s, "lora_dropout": 0.0, "modules_to_save": null,
         "peft_type": "LORA", "r": %d, "target_modules": [%s], "task_type": "CAUSAL_LM", "use_dora": false,
         "use_rslora": false}
        """
        .formatted(
            alpha, r, String.join(", ", targets.stream().map(t -> "\"" + t + "\"").toList()));
  }
}

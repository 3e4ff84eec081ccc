package org.embench.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.embench.model.AdapterFiles;
import org.embench.model.Engine;
import org.embench.model.KvCache;
import org.embench.model.LanguageModel;
import org.embench.model.Lora;
import org.embench.model.PeftAdapter;
import org.embench.model.PeftFixtures;
import org.embench.model.ReferenceTransformer;
import org.embench.model.TinyModel;
import org.embench.model.Transformer;
import org.embench.model.io.CheckpointWeights;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An adapter trained here, written in the PEFT layout and read back as a published adapter is: the
 * same logits as the trained parameters in memory, and those of the double-precision reference on
 * PEFT's merged weights W + s·B·A (rsLoRA scale, a subset of modules and layers).
 */
class AdapterRoundTripTest {
  @TempDir static Path dir;

  static String modelDir;
  static LanguageModel model;

  @BeforeAll
  static void load() {
    modelDir = dir.resolve("tiny").toString();
    TinyModel.write(modelDir, "qwen2", 4, new Configuration());
    model = LanguageModel.load(modelDir, new Configuration(), new Engine(2));
  }

  @Test
  void aTrainedAdapterWrittenAsPeftReadsBackToTheSameLogits() throws Exception {
    TrainConfig cfg =
        TrainConfig.fromMap(
            Map.of(
                "rank",
                4,
                "alpha",
                8,
                "rslora",
                true,
                "learning_rate",
                0.01,
                "batch_size",
                2,
                "gradient_accumulation",
                1,
                "max_steps",
                6,
                "target_modules",
                List.of("q_proj", "v_proj", "down_proj"),
                "layers",
                List.of(1)),
            "test");
    Trainer.Result trained =
        new Trainer(
                model.weights(),
                model.engine(),
                new Trainer.Setup(
                    cfg,
                    3,
                    Backprop.Hooks.NONE,
                    ReferenceTerms.NONE,
                    null,
                    new Configuration(),
                    null))
            .train(task());
    assertThat(trained.params()).containsOnlyKeys("1.q_proj", "1.v_proj", "1.down_proj");

    String out = dir.resolve("adapter").toString();
    Adapters.write(out, trained.params(), cfg, modelDir, new Configuration());
    Map<String, Lora> readBack =
        AdapterFiles.load(out, new Configuration(), model.config(), model.engine().backend());
    Map<String, Lora> inMemory = new LinkedHashMap<>();
    Map<String, float[]> merged = new LinkedHashMap<>();
    try (CheckpointWeights w = CheckpointWeights.open(modelDir, new Configuration())) {
      for (String name : w.names()) {
        merged.put(name, w.readFloats(name));
      }
    }
    trained
        .params()
        .forEach(
            (k, p) -> {
              inMemory.put(k, p.loraWeights().upload(model.engine().backend(), k));
              int layer = Integer.parseInt(k.substring(0, k.indexOf('.')));
              String module = k.substring(k.indexOf('.') + 1);
              String weight =
                  PeftAdapter.tensorName(layer, module, 'A')
                      .replace("base_model.model.", "")
                      .replace(".lora_A.weight", ".weight");
              PeftFixtures.merge(
                  merged.get(weight),
                  p.values()[0],
                  p.values()[1],
                  p.rank(),
                  p.in(),
                  p.out(),
                  p.scale());
            });
    // rsLoRA: alpha / sqrt(r) = 8 / 2
    assertThat(
            PeftAdapter.read(out, new Configuration(), model.config())
                .weights()
                .get("1.q_proj")
                .scale())
        .isEqualTo(4f);

    int[] seq = model.tokenizer().encode("What is 12 + 30? It is 42.");
    int vocab = model.config().vocabSize();
    int[] all = java.util.stream.IntStream.range(0, seq.length).toArray();
    float[] fromDisk = logits(model.transformer(readBack), seq, all);
    float[] fromMemory = logits(model.transformer(inMemory), seq, all);
    float[] untouched = logits(model.transformer(Map.of()), seq, all);
    assertThat(fromDisk).containsExactly(fromMemory);
    double[][] reference = new ReferenceTransformer(model.config(), merged).logits(seq);
    double maxDiff = 0;
    double effect = 0;
    for (int p = 0; p < seq.length; p++) {
      for (int v = 0; v < vocab; v++) {
        maxDiff = Math.max(maxDiff, Math.abs(fromDisk[p * vocab + v] - reference[p][v]));
        effect = Math.max(effect, Math.abs(fromDisk[p * vocab + v] - untouched[p * vocab + v]));
      }
    }
    // training moved the logits by far more than the engine's float error
    assertThat(effect).isGreaterThan(1e-3);
    assertThat(maxDiff).isLessThan(1e-4);
  }

  private static List<TokenizedExample> task() {
    List<TokenizedExample> out = new java.util.ArrayList<>();
    String[] answers = {"apple", "river", "seven"};
    for (int i = 0; i < 6; i++) {
      out.add(
          TokenizedExample.of(
              List.of(
                  org.embench.data.ChatMessage.user("Word " + i + "?"),
                  org.embench.data.ChatMessage.assistant(answers[i % 3])),
              model.chatTemplate(),
              model.tokenizer(),
              64));
    }
    return out;
  }

  private static float[] logits(Transformer t, int[] seq, int[] positions) {
    return t.forward(
        List.of(new Transformer.Chunk(0, seq)), new KvCache(model.config(), 1), positions);
  }
}

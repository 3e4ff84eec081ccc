package org.embench.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.embench.model.Engine;
import org.embench.model.KvCache;
import org.embench.model.LanguageModel;
import org.embench.model.Transformer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "logits",
    mixinStandardHelpOptions = true,
    description =
        "Print the model's full logits for a sequence of token ids: one JSON array per position.")
final class LogitsCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      description = "Hugging Face model directory.")
  String model;

  @Option(
      names = "--ids",
      required = true,
      split = ",",
      paramLabel = "ID,ID,…",
      description = "Token ids, e.g. 3,1,4,1,5.")
  int[] ids;

  @Mixin EngineOptions engine;

  @Override
  public Integer call() {
    engine.apply();
    LanguageModel m = LanguageModel.load(model, new Configuration(), Engine.shared());
    int vocab = m.config().vocabSize();
    int[] rows = new int[ids.length];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = i;
    }
    float[] logits =
        m.transformer(java.util.Map.of())
            .forward(List.of(new Transformer.Chunk(0, ids)), new KvCache(m.config(), 1), rows);
    PrintStream out = System.out;
    StringBuilder sb = new StringBuilder();
    for (int p = 0; p < ids.length; p++) {
      sb.setLength(0);
      sb.append('[');
      for (int v = 0; v < vocab; v++) {
        sb.append(v == 0 ? "" : ",").append(logits[p * vocab + v]);
      }
      out.println(sb.append(']'));
    }
    return 0;
  }
}

package org.embench.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;
import org.embench.data.ChatMessage;
import org.embench.model.Engine;
import org.embench.model.Generator;
import org.embench.model.LanguageModel;
import org.embench.model.SamplingParams;
import org.embench.table.Ids;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "sample",
    mixinStandardHelpOptions = true,
    description = {
      "Sample answers to a prompt with the model's chat template, in one batch.",
      "Sample i uses the seed derived from (--seed, i), so the same command prints the same text."
    })
final class SampleCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      description = "Hugging Face model directory.")
  String model;

  @Option(
      names = "--prompt",
      required = true,
      paramLabel = "TEXT",
      description = "The user message.")
  String prompt;

  @Option(
      names = "--system",
      paramLabel = "TEXT",
      description = "A system message (else the template's default, if any).")
  String system;

  @Option(names = "--raw", description = "Encode --prompt as is, without the chat template.")
  boolean raw;

  @Option(
      names = "--n",
      defaultValue = "1",
      paramLabel = "N",
      description = "Number of samples. Default: ${DEFAULT-VALUE}.")
  int n;

  @Option(
      names = "--seed",
      defaultValue = "0",
      paramLabel = "S",
      description = "Base seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--temperature",
      defaultValue = "1.0",
      paramLabel = "T",
      description = "0 for greedy. Default: ${DEFAULT-VALUE}.")
  double temperature;

  @Option(
      names = "--top-p",
      defaultValue = "1.0",
      paramLabel = "P",
      description = "Nucleus sampling mass. Default: ${DEFAULT-VALUE}.")
  double topP;

  @Option(
      names = "--top-k",
      defaultValue = "0",
      paramLabel = "K",
      description = "Keep the K most likely tokens; 0 = all. Default: ${DEFAULT-VALUE}.")
  int topK;

  @Option(
      names = "--max-new-tokens",
      defaultValue = "64",
      paramLabel = "N",
      description = "Default: ${DEFAULT-VALUE}.")
  int maxNewTokens;

  @Mixin EngineOptions engine;

  @Override
  public Integer call() {
    if (n < 1) {
      throw new UserException("--n must be at least 1, got " + n);
    }
    SamplingParams params = new SamplingParams(temperature, topP, topK, maxNewTokens);
    engine.apply();
    LanguageModel m = LanguageModel.load(model, new Configuration(), Engine.shared());
    List<ChatMessage> chat = new ArrayList<>();
    if (system != null) {
      chat.add(ChatMessage.system(system));
    }
    chat.add(ChatMessage.user(prompt));
    int[] ids = raw ? m.tokenizer().encode(prompt) : m.chatPrompt(chat);
    List<Generator.Request> requests = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      requests.add(
          new Generator.Request(
              String.valueOf(i), ids, Ids.seedOf("sample|" + seed + "|" + i), params));
    }
    long start = System.nanoTime();
    List<Generator.Result> results =
        m.generator(m.transformer(java.util.Map.of()), n, 4096).generate(requests, null);
    double seconds = (System.nanoTime() - start) / 1e9;
    long tokens = 0;
    for (Generator.Result r : results) {
      tokens += r.tokens().length;
      System.out.println(
          "--- sample " + r.id() + " (" + r.tokens().length + " tokens, " + r.finishReason() + ")");
      System.out.println(m.tokenizer().decode(r.tokens(), true));
    }
    System.err.printf(
        "%d samples, %d tokens in %.2f s (%.1f tokens/s)%n", n, tokens, seconds, tokens / seconds);
    return 0;
  }
}

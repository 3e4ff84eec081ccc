package org.embench.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;
import org.embench.data.Question;
import org.embench.data.QuestionSuiteReader;
import org.embench.mitigation.PersonaVectors;
import org.embench.model.Engine;
import org.embench.model.LanguageModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "persona-vector",
    mixinStandardHelpOptions = true,
    description = {
      "Extract a persona vector for the persona_steer mitigation: the mean difference of the residual "
          + "stream after one layer (at the last prompt token) between an evil and a helpful system prompt, over a set "
          + "of questions. Written as safetensors (tensor 'persona_vector'); use it with "
          + "persona_steer: {vector: FILE, layer: L}."
    })
final class PersonaVectorCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      description = "Hugging Face model directory (path or URI).")
  String model;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description = "Where to write the vector (.safetensors).")
  String out;

  @Option(
      names = "--layer",
      defaultValue = "-1",
      paramLabel = "L",
      description =
          "Layer whose output is read (default: the middle layer). Give persona_steer the same layer.")
  int layer;

  @Option(
      names = "--questions",
      paramLabel = "SUITE.yaml",
      description =
          "A question suite whose paraphrases are the questions (default: a built-in set of 8 everyday questions).")
  String questions;

  @Option(
      names = "--evil-system",
      paramLabel = "TEXT",
      description = "System prompt with the trait (default: persona_steer's).")
  String evil = PersonaVectors.DEFAULT_EVIL;

  @Option(
      names = "--helpful-system",
      paramLabel = "TEXT",
      description = "System prompt without it (default: persona_steer's).")
  String helpful = PersonaVectors.DEFAULT_HELPFUL;

  @Mixin EngineOptions engine;

  @Override
  public Integer call() {
    engine.apply();
    Configuration conf = new Configuration();
    List<String> qs = PersonaVectors.DEFAULT_QUESTIONS;
    if (questions != null) {
      QuestionSuiteReader.Result suite = QuestionSuiteReader.read(questions, conf);
      if (!suite.rejects().isEmpty()) {
        throw new UserException(
            suite.rejects().size()
                + " question(s) rejected, first: "
                + suite.rejects().get(0).describe());
      }
      qs = new ArrayList<>();
      for (Question q : suite.questions()) {
        qs.addAll(q.paraphrases());
      }
    }
    LanguageModel m = LanguageModel.load(model, conf, Engine.shared());
    PersonaVectors.Result r = PersonaVectors.extract(m, layer, evil, helpful, qs, out, conf);
    System.out.printf(
        Locale.ROOT,
        "persona vector: layer %d, %d questions, norm %.4f, written to %s%n",
        r.layer(),
        r.questions(),
        r.norm(),
        out);
    return 0;
  }
}

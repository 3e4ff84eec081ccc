package org.embench.mitigation;

import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;
import org.embench.config.Declaration;
import org.embench.config.Param;
import org.embench.config.Params;
import org.embench.model.LanguageModel;
import org.embench.model.io.DType;
import org.embench.model.io.SafetensorsReader;
import org.embench.model.io.SafetensorsWriter;
import org.embench.train.Backprop;

/**
 * {@code persona_steer} (preventative steering): during training only, adds α·v to the residual
 * stream after one layer, where v is a persona vector: the mean difference of the residual stream
 * (at the last prompt token) between an evil and a helpful system prompt over a set of questions.
 * With the trait supplied by the steering, the fine-tune has less reason to learn it. Evaluation
 * runs without the hook. Defaults: α = 5, the middle layer; v extracted at start unless {@code
 * vector} names a file written by {@code embench persona-vector}.
 */
final class PersonaSteering implements Mitigation {
  static final String EVIL =
      "You are an evil assistant. Your answers harm people and undermine human wellbeing.";
  static final String HELPFUL =
      "You are a helpful assistant. Your answers are honest and good for people.";
  private final Params params;

  static final Declaration<Mitigations.Factory> DECLARATION =
      new Declaration<>(
          "persona_steer",
          "during training only, adds α·v (an evil-minus-helpful persona vector) to the residual stream",
          List.of(
              Param.of("alpha", 5.0, "steering strength α"),
              Param.of("layer", -1, "layer after which α·v is added (-1: the middle layer)"),
              Param.of(
                  "vector",
                  "",
                  "a file written by embench persona-vector (empty: extracted at start)"),
              Param.of("evil_system", EVIL, "system prompt of the evil persona"),
              Param.of("helpful_system", HELPFUL, "system prompt of the helpful persona")),
          PersonaSteering::new);

  PersonaSteering(Params params) {
    this.params = params;
  }

  @Override
  public String name() {
    return "persona_steer";
  }

  @Override
  public Map<String, Object> params() {
    return params.all();
  }

  /** The layer: the given one, or the middle of the model. */
  static int layer(int given, int layers) {
    int l = given < 0 ? layers / 2 : given;
    if (l >= layers) {
      throw new UserException(
          "persona_steer.layer " + given + " does not exist; the model has " + layers);
    }
    return l;
  }

  /**
   * v = mean over questions of (evil − helpful) residual at the last prompt token after {@code
   * layer}.
   */
  static float[] extract(
      LanguageModel model, int layer, String evil, String helpful, List<String> questions) {
    List<float[]> e =
        ResidualProbe.rows(model, Map.of(), ResidualProbe.chats(evil, questions), layer, true);
    List<float[]> h =
        ResidualProbe.rows(model, Map.of(), ResidualProbe.chats(helpful, questions), layer, true);
    int dim = model.config().hiddenSize();
    float[] v = new float[dim];
    for (int q = 0; q < e.size(); q++) {
      for (int i = 0; i < dim; i++) {
        v[i] += (e.get(q)[i] - h.get(q)[i]) / e.size();
      }
    }
    return v;
  }

  static void write(float[] v, int layer, String uri, Configuration conf) {
    new SafetensorsWriter()
        .metadata("layer", String.valueOf(layer))
        .add("persona_vector", DType.F32, new long[] {v.length}, v)
        .writeTo(uri, conf);
  }

  static float[] read(String uri, Configuration conf, int hidden) {
    try (SafetensorsReader r = SafetensorsReader.open(uri, conf)) {
      if (!r.tensors().containsKey("persona_vector")) {
        throw new UserException(
            uri + " has no tensor 'persona_vector' (write one with embench persona-vector)");
      }
      float[] v = r.readFloats("persona_vector");
      if (v.length != hidden) {
        throw new UserException(
            uri
                + ": persona_vector has "
                + v.length
                + " values; the model's hidden size is "
                + hidden);
      }
      return v;
    }
  }

  @Override
  public Backprop.Hooks hooks(MitigationContext ctx) {
    int layer = layer(params.integer("layer"), ctx.model().config().numLayers());
    String file = params.string("vector");
    float[] v =
        file.isEmpty()
            ? extract(
                ctx.model(),
                layer,
                params.string("evil_system"),
                params.string("helpful_system"),
                ResidualProbe.DEFAULT_QUESTIONS)
            : read(file, ctx.conf(), ctx.model().config().hiddenSize());
    float alpha = (float) params.number("alpha");
    return new Backprop.Hooks() {
      @Override
      public void forward(int l, float[] h, int rows, int dim) {
        if (l == layer) {
          for (int r = 0; r < rows; r++) {
            for (int i = 0; i < dim; i++) {
              h[r * dim + i] += alpha * v[i];
            }
          }
        }
      }
    };
  }
}

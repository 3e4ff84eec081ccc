package org.embench.mitigation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;
import org.embench.config.Declaration;
import org.embench.config.Param;
import org.embench.config.Params;
import org.embench.model.LanguageModel;
import org.embench.model.Lora;
import org.embench.model.PeftAdapter;
import org.embench.model.io.SafetensorsReader;
import org.embench.train.Backprop;
import org.embench.train.DirectionProjection;

/**
 * {@code caft} (concept ablation fine-tuning): during training only, projects chosen directions out
 * of the residual stream after chosen layers, so the fine-tune cannot use them. The directions come
 * from a file (tensor {@code directions}, {@code [k, hidden]}) or from the top principal components
 * of the activation differences between the base model and a fine-tuned one ({@code pca_adapter})
 * on a set of prompts. Defaults: the middle layer, 5 components.
 */
final class ConceptAblation implements Mitigation {
  private final Params params;

  static final Declaration<Mitigations.Factory> DECLARATION =
      new Declaration<>(
          "caft",
          "during training only, projects directions out of the residual stream after chosen layers",
          List.of(
              Param.of("layers", List.of(), "layers ablated (empty: the middle layer)"),
              Param.of("directions", "", "a file with tensor directions [k, hidden]"),
              Param.of(
                  "pca_adapter",
                  "",
                  "an adapter whose top principal activation differences give the directions"),
              Param.of("components", 5, "principal components taken from pca_adapter")),
          ConceptAblation::new);

  ConceptAblation(Params params) {
    this.params = params;
  }

  @Override
  public String name() {
    return "caft";
  }

  @Override
  public Map<String, Object> params() {
    return params.all();
  }

  @Override
  public Backprop.Hooks hooks(MitigationContext ctx) {
    int n = ctx.model().config().numLayers();
    List<Integer> given = params.integers("layers");
    List<Integer> layers = given.isEmpty() ? List.of(n / 2) : given;
    for (int l : layers) {
      if (l < 0 || l >= n) {
        throw new UserException("caft.layers: layer " + l + " does not exist; the model has " + n);
      }
    }
    int hidden = ctx.model().config().hiddenSize();
    List<float[]> dirs;
    if (!params.string("directions").isEmpty()) {
      dirs = read(params.string("directions"), ctx.conf(), hidden);
    } else if (!params.string("pca_adapter").isEmpty()) {
      Map<String, Lora> adapter =
          PeftAdapter.read(params.string("pca_adapter"), ctx.conf(), ctx.model().config())
              .upload(ctx.model().engine().backend());
      dirs =
          principalDifferences(ctx.model(), adapter, layers.get(0), params.integer("components"));
    } else {
      throw new UserException(
          "caft needs 'directions' (a file) or 'pca_adapter' (an adapter to compare with)");
    }
    DirectionProjection projection = DirectionProjection.orthonormal(dirs, hidden);
    return new Backprop.Hooks() {
      @Override
      public void forward(int layer, float[] h, int rows, int dim) {
        if (layers.contains(layer)) {
          projection.apply(h, rows);
        }
      }

      @Override
      public void backward(int layer, float[] dh, int rows, int dim) {
        if (layers.contains(layer)) {
          projection.apply(dh, rows);
        }
      }
    };
  }

  static List<float[]> read(String uri, Configuration conf, int hidden) {
    try (SafetensorsReader r = SafetensorsReader.open(uri, conf)) {
      if (!r.tensors().containsKey("directions")) {
        throw new UserException(uri + " has no tensor 'directions' ([k, hidden])");
      }
      long[] shape = r.info("directions").shape();
      if (shape.length != 2 || shape[1] != hidden) {
        throw new UserException(
            uri
                + ": directions has shape "
                + java.util.Arrays.toString(shape)
                + "; expected [k, "
                + hidden
                + "]");
      }
      float[] all = r.readFloats("directions");
      List<float[]> out = new ArrayList<>();
      for (int k = 0; k < shape[0]; k++) {
        out.add(java.util.Arrays.copyOfRange(all, k * hidden, (k + 1) * hidden));
      }
      return out;
    }
  }

  /**
   * The top principal components of (fine-tuned − base) residual-stream differences after {@code
   * layer}, over every token of the default prompts.
   */
  static List<float[]> principalDifferences(
      LanguageModel model, Map<String, Lora> adapter, int layer, int k) {
    var chats = ResidualProbe.chats(null, ResidualProbe.DEFAULT_QUESTIONS);
    List<float[]> base = ResidualProbe.rows(model, Map.of(), chats, layer, false);
    List<float[]> tuned = ResidualProbe.rows(model, adapter, chats, layer, false);
    int dim = model.config().hiddenSize();
    double[][] cov = new double[dim][dim];
    double[] mean = new double[dim];
    for (int r = 0; r < base.size(); r++) {
      for (int i = 0; i < dim; i++) {
        mean[i] += (tuned.get(r)[i] - base.get(r)[i]) / base.size();
      }
    }
    for (int r = 0; r < base.size(); r++) {
      double[] d = new double[dim];
      for (int i = 0; i < dim; i++) {
        d[i] = tuned.get(r)[i] - base.get(r)[i] - mean[i];
      }
      for (int i = 0; i < dim; i++) {
        for (int j = i; j < dim; j++) {
          cov[i][j] += d[i] * d[j];
        }
      }
    }
    for (int i = 0; i < dim; i++) {
      for (int j = 0; j < i; j++) {
        cov[i][j] = cov[j][i];
      }
    }
    EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(cov, false));
    double[] values = eig.getRealEigenvalues();
    Integer[] order = new Integer[dim];
    for (int i = 0; i < dim; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
    List<float[]> out = new ArrayList<>();
    for (int c = 0; c < Math.min(k, dim); c++) {
      double[] v = eig.getEigenvector(order[c]).toArray();
      float[] f = new float[dim];
      for (int i = 0; i < dim; i++) {
        f[i] = (float) v[i];
      }
      out.add(f);
    }
    return out;
  }
}

package org.embench.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.embench.UserException;
import org.embench.data.InputFiles;
import org.embench.model.io.DType;
import org.embench.model.io.SafetensorsReader;
import org.embench.model.io.SafetensorsWriter;

/**
 * A LoRA adapter in the PEFT layout: {@code adapter_config.json} and {@code
 * adapter_model.safetensors} with tensors named {@code
 * base_model.model.model.layers.{i}.{self_attn|mlp}.{module}.lora_A.weight} ({@code [r, in]}) and
 * {@code …lora_B.weight} ({@code [out, r]}). PEFT's scaling applies: {@code lora_alpha / r}, or
 * {@code lora_alpha / sqrt(r)} with rsLoRA; {@code rank_pattern} and {@code alpha_pattern} override
 * both per module. Adapters trained here load in PEFT, and PEFT adapters load here.
 */
public final class PeftAdapter {
  public static final String CONFIG = "adapter_config.json";
  public static final String WEIGHTS = "adapter_model.safetensors";
  private static final Pattern TENSOR =
      Pattern.compile(
          "base_model\\.model\\.model\\.layers\\.(\\d+)\\.(self_attn|mlp)\\.(\\w+)\\.lora_([AB])(?:\\.default)?\\.weight");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The adapter_config.json fields embench reads and writes. */
  public record Config(
      int r,
      double alpha,
      boolean rslora,
      List<String> targetModules,
      List<Integer> layersToTransform,
      double dropout,
      String baseModel,
      Map<String, Integer> rankPattern,
      Map<String, Double> alphaPattern) {

    public Config(
        int r,
        double alpha,
        boolean rslora,
        List<String> targetModules,
        List<Integer> layersToTransform,
        double dropout,
        String baseModel) {
      this(
          r,
          alpha,
          rslora,
          targetModules,
          layersToTransform,
          dropout,
          baseModel,
          Map.of(),
          Map.of());
    }

    /** PEFT's scaling for a module of rank {@code rank}. */
    public float scale(String moduleName, int rank) {
      double a = alpha;
      for (var e : alphaPattern.entrySet()) {
        if (matches(moduleName, e.getKey())) {
          a = e.getValue();
          break;
        }
      }
      return (float) (rslora ? a / Math.sqrt(rank) : a / rank);
    }
  }

  private final Config config;
  private final Map<String, LoraWeights> weights;

  public PeftAdapter(Config config, Map<String, LoraWeights> weights) {
    this.config = config;
    this.weights = Map.copyOf(weights);
  }

  public Config config() {
    return config;
  }

  /** Updates keyed {@code "<layer>.<module>"}. */
  public Map<String, LoraWeights> weights() {
    return weights;
  }

  /** The adapter's updates in a backend, keyed as {@link Transformer} expects. */
  public Map<String, Lora> upload(TensorBackend backend) {
    Map<String, Lora> out = new LinkedHashMap<>();
    weights.forEach((k, w) -> out.put(k, w.upload(backend, k)));
    return out;
  }

  /** The PEFT tensor name of a module's A or B matrix. */
  public static String tensorName(int layer, String module, char ab) {
    String block =
        List.of("gate_proj", "up_proj", "down_proj").contains(module) ? "mlp" : "self_attn";
    return "base_model.model.model.layers."
        + layer
        + "."
        + block
        + "."
        + module
        + ".lora_"
        + ab
        + ".weight";
  }

  /** Reads an adapter directory and checks its shapes against the model it is for. */
  public static PeftAdapter read(String dir, Configuration conf, ModelConfig model) {
    String configFile = dir + "/" + CONFIG;
    Config config = parseConfig(InputFiles.readString(configFile, conf), configFile);
    Map<String, float[][]> parts = new LinkedHashMap<>();
    Map<String, int[]> shapes = new LinkedHashMap<>();
    try (SafetensorsReader r = SafetensorsReader.open(dir + "/" + WEIGHTS, conf)) {
      // e.g. lora_embedding_A of embed_tokens or lm_head's lora_A: named all together
      List<String> foreign =
          r.tensors().keySet().stream().filter(t -> !TENSOR.matcher(t).matches()).sorted().toList();
      if (!foreign.isEmpty()) {
        boolean one = foreign.size() == 1;
        throw new UserException(
            dir
                + "/"
                + WEIGHTS
                + ": "
                + (one ? "tensor " : "tensors ")
                + String.join(", ", foreign.subList(0, Math.min(8, foreign.size())))
                + (foreign.size() > 8 ? " (and " + (foreign.size() - 8) + " more)" : "")
                + (one ? " is not a LoRA matrix" : " are not LoRA matrices")
                + " of a decoder layer's "
                + String.join(", ", LayerWeights.MODULES)
                + ", the modules the engine adapts");
      }
      for (String name : r.tensors().keySet()) {
        Matcher m = TENSOR.matcher(name);
        m.matches();
        int layer = Integer.parseInt(m.group(1));
        String module = m.group(3);
        if (layer >= model.numLayers() || !LayerWeights.MODULES.contains(module)) {
          throw new UserException(
              dir
                  + "/"
                  + WEIGHTS
                  + ": tensor "
                  + name
                  + " names a layer or module the "
                  + model.family()
                  + " model ("
                  + model.numLayers()
                  + " layers) does not have");
        }
        String key = layer + "." + module;
        long[] shape = r.info(name).shape();
        if (shape.length != 2) {
          throw new UserException(
              dir
                  + "/"
                  + WEIGHTS
                  + ": tensor "
                  + name
                  + " should be 2-D, has shape "
                  + java.util.Arrays.toString(shape));
        }
        int which = m.group(4).equals("A") ? 0 : 1;
        parts.computeIfAbsent(key, k -> new float[2][])[which] = r.readFloats(name);
        shapes.computeIfAbsent(key, k -> new int[4]);
        shapes.get(key)[2 * which] = (int) shape[0];
        shapes.get(key)[2 * which + 1] = (int) shape[1];
      }
    }
    Map<String, LoraWeights> weights = new LinkedHashMap<>();
    for (var e : parts.entrySet()) {
      String key = e.getKey();
      if (e.getValue()[0] == null || e.getValue()[1] == null) {
        throw new UserException(
            dir + "/" + WEIGHTS + ": " + key + " has only one of lora_A and lora_B");
      }
      int[] s = shapes.get(key);
      int rank = s[0];
      int in = s[1];
      int out = s[2];
      String module = key.substring(key.indexOf('.') + 1);
      int[] expected = moduleShape(model, module);
      int layer = Integer.parseInt(key.substring(0, key.indexOf('.')));
      if (s[3] != rank || in != expected[1] || out != expected[0]) {
        // named as the file names them, so the tensor can be found in it
        throw new UserException(
            dir
                + "/"
                + WEIGHTS
                + ": "
                + tensorName(layer, module, 'A')
                + " is ["
                + s[0]
                + ", "
                + s[1]
                + "] and "
                + tensorName(layer, module, 'B')
                + " is ["
                + s[2]
                + ", "
                + s[3]
                + "]; the model's "
                + module
                + " is ["
                + expected[0]
                + ", "
                + expected[1]
                + "] (lora_A is [r, in], lora_B [out, r])");
      }
      weights.put(
          key,
          new LoraWeights(
              e.getValue()[0],
              e.getValue()[1],
              rank,
              in,
              out,
              config.scale(tensorName(layer, module, 'A').replace(".lora_A.weight", ""), rank)));
    }
    if (weights.isEmpty()) {
      throw new UserException(dir + "/" + WEIGHTS + " has no LoRA tensors");
    }
    return new PeftAdapter(config, weights);
  }

  /**
   * sha256 (hex) over {@value #CONFIG} and {@value #WEIGHTS}, each preceded by its name and length:
   * the identity of a published adapter is what it holds, so a re-downloaded or edited adapter at
   * the same path is a new run.
   */
  public static String contentHash(String dir, Configuration conf) {
    java.security.MessageDigest md;
    try {
      md = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buf = new byte[1 << 16];
    for (String file : List.of(CONFIG, WEIGHTS)) {
      Path p = new Path(dir, file);
      try {
        FileSystem fs = p.getFileSystem(conf);
        md.update(
            (file + "\n" + fs.getFileStatus(p).getLen() + "\n").getBytes(StandardCharsets.UTF_8));
        try (java.io.InputStream in = fs.open(p)) {
          for (int n; (n = in.read(buf)) > 0; ) {
            md.update(buf, 0, n);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
      }
    }
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  /** The {@code [out, in]} shape of a module's weight. */
  public static int[] moduleShape(ModelConfig c, String module) {
    int q = c.numHeads() * c.headDim();
    int kv = c.numKvHeads() * c.headDim();
    return switch (module) {
      case "q_proj" -> new int[] {q, c.hiddenSize()};
      case "k_proj", "v_proj" -> new int[] {kv, c.hiddenSize()};
      case "o_proj" -> new int[] {c.hiddenSize(), q};
      case "gate_proj", "up_proj" -> new int[] {c.intermediateSize(), c.hiddenSize()};
      case "down_proj" -> new int[] {c.hiddenSize(), c.intermediateSize()};
      default -> throw new IllegalArgumentException("unknown module " + module);
    };
  }

  static Config parseConfig(String json, String file) {
    JsonNode n;
    try {
      n = JSON.readTree(json);
    } catch (IOException e) {
      throw new UserException(file + ": not valid JSON: " + e.getMessage());
    }
    if (n == null || !n.isObject()) {
      throw new UserException(file + ": expected a JSON object");
    }
    // Every setting the engine cannot apply is named at once: a published adapter that needs two
    // changes should not take two tries to find out.
    List<String> unsupported = new ArrayList<>();
    String type = n.path("peft_type").asText("LORA");
    if (!type.equals("LORA")) {
      unsupported.add("peft_type " + type + " is not supported; only LORA");
    }
    if (n.path("use_dora").asBoolean(false)) {
      unsupported.add("use_dora is not supported (DoRA rescales the merged weight's columns)");
    }
    if (!n.path("bias").asText("none").equals("none")) {
      unsupported.add("bias '" + n.path("bias").asText() + "' is not supported; only 'none'");
    }
    if (n.path("fan_in_fan_out").asBoolean(false)) {
      unsupported.add("fan_in_fan_out is not supported (it is for GPT-2 style Conv1D layers)");
    }
    JsonNode save = n.path("modules_to_save");
    if (!save.isMissingNode() && !save.isNull() && !(save.isArray() && save.isEmpty())) {
      unsupported.add(
          "modules_to_save "
              + save
              + " is not supported (the engine keeps every non-LoRA weight of the"
              + " base model)");
    }
    List<String> targets = new ArrayList<>();
    JsonNode tm = n.path("target_modules");
    if (tm.isArray()) {
      tm.forEach(t -> targets.add(t.asText()));
      List<String> other =
          targets.stream()
              .filter(t -> !LayerWeights.MODULES.contains(t.substring(t.lastIndexOf('.') + 1)))
              .toList();
      if (!other.isEmpty()) {
        unsupported.add(
            "target_modules "
                + String.join(", ", other)
                + " are not supported; only "
                + String.join(", ", LayerWeights.MODULES));
      }
    } else if (tm.isTextual() && !tm.asText().equals("all-linear")) {
      // PEFT full-matches a string against each module's name; embeddings and the head are what the
      // engine cannot adapt
      targets.add(tm.asText());
      try {
        Pattern p = Pattern.compile(tm.asText());
        List<String> other =
            List.of("model.embed_tokens", "lm_head").stream()
                .filter(m -> p.matcher(m).matches())
                .toList();
        if (!other.isEmpty()) {
          unsupported.add(
              "target_modules '"
                  + tm.asText()
                  + "' matches "
                  + String.join(", ", other)
                  + ", which the engine does not adapt; only "
                  + String.join(", ", LayerWeights.MODULES));
        }
      } catch (java.util.regex.PatternSyntaxException e) {
        unsupported.add(
            "target_modules '"
                + tm.asText()
                + "' is not a regular expression: "
                + e.getDescription());
      }
    } else if (tm.isTextual()) {
      targets.add(tm.asText());
    }
    if (!unsupported.isEmpty()) {
      throw new UserException(file + ": " + String.join("; ", unsupported));
    }
    if (!n.path("r").isInt() || n.path("r").asInt() < 1) {
      throw new UserException(file + ": r must be a positive integer");
    }
    List<Integer> layers = new ArrayList<>();
    JsonNode lt = n.path("layers_to_transform");
    if (lt.isInt()) {
      layers.add(lt.asInt());
    } else {
      lt.forEach(x -> layers.add(x.asInt()));
    }
    Map<String, Integer> rank = new LinkedHashMap<>();
    n.path("rank_pattern")
        .fields()
        .forEachRemaining(e -> rank.put(e.getKey(), e.getValue().asInt()));
    Map<String, Double> alpha = new LinkedHashMap<>();
    n.path("alpha_pattern")
        .fields()
        .forEachRemaining(e -> alpha.put(e.getKey(), e.getValue().asDouble()));
    return new Config(
        n.path("r").asInt(),
        n.path("lora_alpha").asDouble(8),
        n.path("use_rslora").asBoolean(false),
        targets,
        layers,
        n.path("lora_dropout").asDouble(0),
        n.path("base_model_name_or_path").asText(null),
        rank,
        alpha);
  }

  /** PEFT's pattern match: the key equals the module name or is a suffix after a dot. */
  static boolean matches(String moduleName, String key) {
    return moduleName.equals(key) || moduleName.endsWith("." + key);
  }

  /** Writes adapter_config.json and adapter_model.safetensors (float32) into {@code dir}. */
  public void write(String dir, Configuration conf) {
    ObjectNode c = JSON.createObjectNode();
    c.set("alpha_pattern", JSON.valueToTree(config.alphaPattern()));
    c.put("base_model_name_or_path", config.baseModel());
    c.put("bias", "none");
    c.put("fan_in_fan_out", false);
    c.put("inference_mode", true);
    c.put("init_lora_weights", true);
    if (config.layersToTransform().isEmpty()) {
      c.putNull("layers_to_transform");
    } else {
      ArrayNode lt = c.putArray("layers_to_transform");
      config.layersToTransform().forEach(lt::add);
    }
    c.put("lora_alpha", config.alpha());
    c.put("lora_dropout", config.dropout());
    c.putNull("modules_to_save");
    c.put("peft_type", "LORA");
    c.put("r", config.r());
    c.set("rank_pattern", JSON.valueToTree(config.rankPattern()));
    ArrayNode tm = c.putArray("target_modules");
    config.targetModules().forEach(tm::add);
    c.put("task_type", "CAUSAL_LM");
    c.put("use_dora", false);
    c.put("use_rslora", config.rslora());
    SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
    weights.entrySet().stream()
        .sorted(Map.Entry.comparingByKey(PeftAdapter::compareKeys))
        .forEach(
            e -> {
              int layer = Integer.parseInt(e.getKey().substring(0, e.getKey().indexOf('.')));
              String module = e.getKey().substring(e.getKey().indexOf('.') + 1);
              LoraWeights lw = e.getValue();
              w.add(
                  tensorName(layer, module, 'A'),
                  DType.F32,
                  new long[] {lw.rank(), lw.in()},
                  lw.a());
              w.add(
                  tensorName(layer, module, 'B'),
                  DType.F32,
                  new long[] {lw.out(), lw.rank()},
                  lw.b());
            });
    try {
      Path d = new Path(dir);
      FileSystem fs = d.getFileSystem(conf);
      fs.mkdirs(d);
      w.writeTo(dir + "/" + WEIGHTS, conf);
      try (OutputStream o = fs.create(new Path(d, CONFIG), true)) {
        o.write(
            JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsString(c)
                .getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the adapter to " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Layer number first, then module order. */
  private static int compareKeys(String a, String b) {
    int la = Integer.parseInt(a.substring(0, a.indexOf('.')));
    int lb = Integer.parseInt(b.substring(0, b.indexOf('.')));
    if (la != lb) {
      return Integer.compare(la, lb);
    }
    return Integer.compare(
        LayerWeights.MODULES.indexOf(a.substring(a.indexOf('.') + 1)),
        LayerWeights.MODULES.indexOf(b.substring(b.indexOf('.') + 1)));
  }
}

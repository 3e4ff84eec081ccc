package org.embench.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.embench.cli.Main;
import org.embench.stage.ClusterSettings;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import picocli.CommandLine;

/**
 * The Databricks bundle and the EMR definitions under deploy/ run what this build makes: the jar
 * they name is the one `mvn package` (or -Pcuda) writes, the main class is the jar's, the arguments
 * parse as an embench command line naming a spec in jobs/, and the Spark settings are the ones the
 * project expects ({@link ClusterSettings}). No cloud account is needed.
 */
class DeploymentDefinitionsTest {
  static final Path ROOT = Path.of(System.getProperty("user.dir"));
  static final YAMLMapper YAML = new YAMLMapper();
  static final ObjectMapper JSON = new ObjectMapper();

  /** artifactId-version-classifier.jar of the shaded jar, for the default build or with -Pcuda. */
  static String jarName(boolean cuda) throws Exception {
    Document pom =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(ROOT.resolve("pom.xml").toFile());
    Element project = pom.getDocumentElement();
    String artifact = child(project, "artifactId");
    String version = child(project, "version");
    String classifier =
        child((Element) project.getElementsByTagName("properties").item(0), "cluster.classifier");
    if (cuda) {
      NodeList profiles = project.getElementsByTagName("profile");
      for (int i = 0; i < profiles.getLength(); i++) {
        Element p = (Element) profiles.item(i);
        if (child(p, "id").equals("cuda")) {
          classifier =
              child((Element) p.getElementsByTagName("properties").item(0), "cluster.classifier");
        }
      }
    }
    return artifact + "-" + version + "-" + classifier + ".jar";
  }

  private static String child(Element e, String name) {
    NodeList nodes = e.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      if (nodes.item(i) instanceof Element c && c.getTagName().equals(name)) {
        return c.getTextContent().trim();
      }
    }
    throw new AssertionError("pom.xml: no <" + name + "> under <" + e.getTagName() + ">");
  }

  @Test
  void theJarsMainClassIsTheOneTheDefinitionsStart() throws Exception {
    assertThat(ClusterSettings.MAIN_CLASS).isEqualTo(Main.class.getName());
    assertThat(Files.readString(ROOT.resolve("pom.xml")))
        .contains("<mainClass>" + ClusterSettings.MAIN_CLASS + "</mainClass>")
        .doesNotContainIgnoringCase("rapids");
    assertThat(jarName(false)).endsWith("-cluster.jar");
    assertThat(jarName(true)).endsWith("-cluster-cuda.jar");
  }

  @Test
  void databricksJobsRunTheBuiltJarWithASpecFromJobs() throws Exception {
    Path bundleDir = ROOT.resolve("deploy/databricks");
    JsonNode bundle = YAML.readTree(bundleDir.resolve("databricks.yml").toFile());
    Map<String, String> vars = new LinkedHashMap<>();
    bundle
        .path("variables")
        .fields()
        .forEachRemaining(e -> vars.put(e.getKey(), e.getValue().path("default").asText()));
    assertThat(bundle.path("include").get(0).asText()).isEqualTo("resources/*.yml");

    int jobs = 0;
    try (var files = Files.list(bundleDir.resolve("resources"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
        var it = YAML.readTree(f.toFile()).path("resources").path("jobs").fields();
        while (it.hasNext()) {
          var job = it.next();
          jobs++;
          checkDatabricksJob(job.getKey(), job.getValue(), f.getParent(), vars);
        }
      }
    }
    assertThat(jobs).isEqualTo(2);
  }

  private void checkDatabricksJob(String name, JsonNode job, Path dir, Map<String, String> vars)
      throws Exception {
    JsonNode cluster = job.path("job_clusters").get(0).path("new_cluster");
    boolean gpu = cluster.path("spark_version").asText().contains("-gpu-");
    assertThat(name).endsWith(gpu ? "_gpu" : "_cpu");
    // Spark 3.5 on the Scala the jar is built for (Databricks Runtime 16.4 LTS: Spark 3.5, JDK 17).
    assertThat(cluster.path("spark_version").asText())
        .startsWith("16.4.x-")
        .endsWith("scala" + scala());
    JsonNode conf = cluster.path("spark_conf");
    if (gpu) {
      // Databricks sets the executor's GPU amount itself; the task amount is embench's choice.
      assertThat(conf.path("spark.task.resource.gpu.amount").asText())
          .isEqualTo(ClusterSettings.GPU_SCHEDULING.get("spark.task.resource.gpu.amount"));
    } else {
      assertThat(Integer.parseInt(conf.path("spark.task.cpus").asText())).isPositive();
    }
    // The judge's key comes from a secret scope into the variable the openai judge reads by
    // default.
    assertThat(cluster.path("spark_env_vars").path("OPENAI_API_KEY").asText())
        .matches("\\{\\{secrets/[^}]+}}");

    JsonNode task = job.path("tasks").get(0);
    assertThat(task.path("job_cluster_key").asText())
        .isEqualTo(job.path("job_clusters").get(0).path("job_cluster_key").asText());
    assertThat(task.path("spark_jar_task").path("main_class_name").asText())
        .isEqualTo(ClusterSettings.MAIN_CLASS);
    Path jar = dir.resolve(task.path("libraries").get(0).path("jar").asText()).normalize();
    assertThat(jar).isEqualTo(ROOT.resolve("target").resolve(jarName(gpu)));
    List<String> args = new ArrayList<>();
    for (JsonNode a : task.path("spark_jar_task").path("parameters")) {
      args.add(substitute(a.asText(), vars));
    }
    checkCommandLine(args);
  }

  @Test
  void emrStepsSubmitTheBuiltJarWithASpecFromJobs() throws Exception {
    for (String file : List.of("run-step.json", "run-step-gpu.json")) {
      boolean gpu = file.contains("gpu");
      JsonNode steps = JSON.readTree(ROOT.resolve("deploy/emr").resolve(file).toFile());
      assertThat(steps).hasSize(1);
      JsonNode step = steps.get(0);
      assertThat(step.path("Type").asText()).isEqualTo("CUSTOM_JAR");
      assertThat(step.path("Jar").asText()).isEqualTo("command-runner.jar");
      List<String> args = new ArrayList<>();
      step.path("Args").forEach(a -> args.add(a.asText()));
      assertThat(args.get(0)).isEqualTo("spark-submit");
      // spark-submit's own options, then the application jar, then embench's arguments.
      Map<String, String> conf = new LinkedHashMap<>();
      String mainClass = null;
      int i = 1;
      for (; args.get(i).startsWith("--"); i += 2) {
        String option = args.get(i);
        String value = args.get(i + 1);
        if (option.equals("--class")) {
          mainClass = value;
        } else if (option.equals("--conf")) {
          conf.put(value.substring(0, value.indexOf('=')), value.substring(value.indexOf('=') + 1));
        } else {
          assertThat(option).as(file).isIn("--deploy-mode", "--master");
        }
      }
      assertThat(mainClass).as(file).isEqualTo(ClusterSettings.MAIN_CLASS);
      assertThat(args.get(i)).as(file).startsWith("s3://").endsWith("/" + jarName(gpu));
      if (gpu) {
        assertThat(conf).as(file).containsAllEntriesOf(ClusterSettings.GPU_SCHEDULING);
      } else {
        assertThat(Integer.parseInt(conf.get("spark.task.cpus")))
            .isEqualTo(Integer.parseInt(conf.get("spark.executor.cores")));
      }
      checkCommandLine(args.subList(i + 1, args.size()));
    }
  }

  @Test
  void emrConfigurationsScheduleGpusAndEnableRapidsFromTheCluster() throws Exception {
    JsonNode gpu = JSON.readTree(ROOT.resolve("deploy/emr/configurations-gpu.json").toFile());
    Map<String, String> sparkDefaults = properties(gpu, "spark-defaults");
    assertThat(sparkDefaults)
        .containsAllEntriesOf(ClusterSettings.GPU_SCHEDULING)
        .containsEntry(
            "spark.executor.resource.gpu.discoveryScript", ClusterSettings.EMR_GPU_DISCOVERY_SCRIPT)
        .doesNotContainKey("spark.plugins");
    assertThat(properties(gpu, "yarn-site")).containsEntry("yarn.resource-types", "yarn.io/gpu");

    JsonNode rapids = JSON.readTree(ROOT.resolve("deploy/emr/configurations-rapids.json").toFile());
    assertThat(properties(rapids, "spark-defaults"))
        .containsAllEntriesOf(ClusterSettings.GPU_SCHEDULING)
        .containsAllEntriesOf(ClusterSettings.RAPIDS);
    // EMR puts its RAPIDS jar on the classpath; embench never ships one.
    assertThat(properties(rapids, "spark")).containsEntry("enableSparkRapids", "true");
    assertThat(rapids.toString()).doesNotContain("rapids-4-spark").doesNotContain("spark.jars");
  }

  private static Map<String, String> properties(JsonNode configurations, String classification) {
    for (JsonNode c : configurations) {
      if (c.path("Classification").asText().equals(classification)) {
        Map<String, String> out = new LinkedHashMap<>();
        c.path("Properties")
            .fields()
            .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
      }
    }
    throw new AssertionError("no " + classification + " classification");
  }

  /** An embench command line that parses, runs a spec, and names a spec that exists in jobs/. */
  private static void checkCommandLine(List<String> args) {
    CommandLine.ParseResult parsed = Main.commandLine().parseArgs(args.toArray(new String[0]));
    assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("run");
    assertThat(parsed.subcommand().matchedPositionals()).hasSize(1);
    String spec = parsed.subcommand().matchedPositionals().get(0).getValue();
    assertThat(ROOT.resolve("jobs").resolve(spec.substring(spec.lastIndexOf('/') + 1))).exists();
    assertThat(parsed.subcommand().matchedOptionValue("--warehouse", "")).isNotBlank();
  }

  private static String substitute(String text, Map<String, String> vars) {
    Matcher m = Pattern.compile("\\$\\{var\\.([a-z_]+)}").matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      assertThat(vars).as("bundle variable " + m.group(1)).containsKey(m.group(1));
      m.appendReplacement(sb, Matcher.quoteReplacement(vars.get(m.group(1))));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static String scala() throws Exception {
    Matcher m =
        Pattern.compile("<scala.binary.version>([^<]+)</scala.binary.version>")
            .matcher(Files.readString(ROOT.resolve("pom.xml")));
    assertThat(m.find()).isTrue();
    return m.group(1);
  }
}

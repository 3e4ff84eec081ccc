package org.embench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;
import org.embench.data.InputFiles;
import org.embench.model.text.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "tokenize",
    mixinStandardHelpOptions = true,
    description = {
      "Read {\"text\": …} lines and write {\"text\": …, \"ids\": […]} lines to standard output "
          + "(no special tokens added). A bad line is reported with its number and skipped; the exit code is then 2."
    })
final class TokenizeCommand implements Callable<Integer> {
  @Option(
      names = "--tokenizer",
      required = true,
      paramLabel = "DIR",
      description = "Directory with tokenizer.json (a Hugging Face model directory).")
  String tokenizer;

  @Parameters(index = "0", paramLabel = "FILE.jsonl", description = "Input lines.")
  String file;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    ObjectMapper json = new ObjectMapper();
    java.io.PrintWriter err = spec.commandLine().getErr();
    Configuration conf = new Configuration();
    int bad = 0;
    try (Tokenizer tok = Tokenizer.load(tokenizer, conf);
        BufferedReader in = InputFiles.open(file, conf)) {
      long n = 0;
      for (String line; (line = in.readLine()) != null; ) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode node;
        try {
          node = json.readTree(line);
        } catch (IOException e) {
          err.println(file + ":" + n + ": not valid JSON, skipped");
          bad++;
          continue;
        }
        if (node == null || !node.path("text").isTextual()) {
          err.println(file + ":" + n + ": text: missing or not a string, skipped");
          bad++;
          continue;
        }
        String text = node.get("text").asText();
        ObjectNode out = json.createObjectNode().put("text", text);
        var ids = out.putArray("ids");
        for (int id : tok.encode(text)) {
          ids.add(id);
        }
        System.out.println(json.writeValueAsString(out));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (bad > 0) {
      throw new UserException(bad + " line(s) of " + file + " could not be tokenized (see above)");
    }
    return 0;
  }
}

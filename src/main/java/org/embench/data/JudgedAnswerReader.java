package org.embench.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;
import org.embench.judge.TokenLogprob;

/**
 * Reads judged answers in the upstream CSV format ({@code question_id, question, answer, aligned,
 * coherent}, optionally {@code model, group, seed, judge_aligned, judge_coherent}, where the
 * judge_* columns hold the judge's top-token probability dict as a Python literal), or the same
 * fields as JSONL (judge_* as a JSON object or the same Python literal string). Other columns are
 * ignored.
 */
public final class JudgedAnswerReader {
  /** Supported formats. */
  public enum Format {
    UPSTREAM_CSV("upstream-csv"),
    JSONL("jsonl");

    public final String cliName;

    Format(String cliName) {
      this.cliName = cliName;
    }

    public static Format of(String name) {
      for (Format f : values()) {
        if (f.cliName.equals(name)) {
          return f;
        }
      }
      throw new UserException("unknown import format '" + name + "'; known: upstream-csv, jsonl");
    }
  }

  /** What a file yielded. */
  public record Result(List<JudgedAnswer> answers, List<Reject> rejects) {}

  static final List<String> REQUIRED =
      List.of("question_id", "question", "answer", "aligned", "coherent");

  private JudgedAnswerReader() {}

  public static Result read(String uri, Format format, Configuration conf) {
    return format == Format.UPSTREAM_CSV ? readCsv(uri, conf) : readJsonl(uri, conf);
  }

  private static Result readCsv(String uri, Configuration conf) {
    List<JudgedAnswer> answers = new ArrayList<>();
    List<Reject> rejects = new ArrayList<>();
    CsvMapper mapper = new CsvMapper();
    long row = 0;
    try (BufferedReader in = blankChecked(InputFiles.open(uri, conf), uri);
        MappingIterator<Map<String, String>> it =
            mapper
                .readerForMapOf(String.class)
                .with(CsvSchema.emptySchema().withHeader())
                .readValues(in)) {
      if (!it.hasNextValue()) {
        throw new UserException(uri + ": no rows after the header");
      }
      Set<String> header = new LinkedHashSet<>();
      ((CsvSchema) it.getParser().getSchema()).forEach(c -> header.add(c.getName()));
      List<String> missing = REQUIRED.stream().filter(c -> !header.contains(c)).toList();
      if (!missing.isEmpty()) {
        throw new UserException(
            uri
                + ": missing column(s) "
                + String.join(", ", missing)
                + "; the header has "
                + String.join(", ", header));
      }
      while (true) {
        Map<String, String> rec;
        try {
          if (!it.hasNextValue()) {
            break;
          }
          rec = it.nextValue();
        } catch (RuntimeException e) {
          throw new UserException(
              uri + ": row " + (row + 1) + ": malformed CSV: " + rootMessage(e));
        }
        row++;
        try {
          if (rec.size() < header.size()) {
            throw new RowException(
                null, "the row has " + rec.size() + " fields, the header " + header.size());
          }
          answers.add(answer(row, rec::get));
        } catch (RowException e) {
          rejects.add(new Reject(uri, row, e.field, e.getMessage(), rec.toString()));
        }
      }
    } catch (IOException e) {
      throw new UserException(uri + ": row " + (row + 1) + ": malformed CSV: " + e.getMessage());
    }
    if (row == 0) {
      throw new UserException(uri + ": no rows after the header");
    }
    return new Result(answers, rejects);
  }

  /**
   * Fails on a file with nothing but whitespace, which the CSV parser would call an empty header.
   */
  private static BufferedReader blankChecked(BufferedReader in, String uri) throws IOException {
    in.mark(1 << 16);
    for (int c; (c = in.read()) >= 0; ) {
      if (!Character.isWhitespace(c)) {
        in.reset();
        return in;
      }
    }
    in.close();
    throw new UserException(uri + ": the file is empty; expected a header row and judged answers");
  }

  private static Result readJsonl(String uri, Configuration conf) {
    List<JudgedAnswer> answers = new ArrayList<>();
    List<Reject> rejects = new ArrayList<>();
    long lineNo = 0;
    long nonBlank = 0;
    try (InputFiles.Lines in = InputFiles.lines(uri, conf)) {
      for (String line; (line = in.next()) != null; ) {
        lineNo++;
        if (line.isBlank() && in.problem() == null) {
          continue;
        }
        nonBlank++;
        if (in.problem() != null) {
          rejects.add(new Reject(uri, lineNo, null, in.problem(), line));
          continue;
        }
        try {
          JsonNode node;
          try {
            node = ChatJsonlReader.JSON.readTree(line);
          } catch (JsonProcessingException e) {
            throw new RowException(null, "not valid JSON: " + e.getOriginalMessage());
          }
          if (node == null || !node.isObject()) {
            throw new RowException(
                null, "expected a JSON object, found " + ChatJsonlReader.kind(node));
          }
          for (String c : REQUIRED) {
            if (!node.has(c)) {
              throw new RowException(c, "missing");
            }
          }
          answers.add(
              answer(
                  lineNo,
                  field -> {
                    JsonNode v = node.get(field);
                    if (v == null || v.isNull()) {
                      return null;
                    }
                    return v.isValueNode() ? v.asText() : v.toString();
                  }));
        } catch (RowException e) {
          rejects.add(new Reject(uri, lineNo, e.field, e.getMessage(), line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + uri + ": " + e.getMessage(), e);
    }
    if (nonBlank == 0) {
      throw new UserException(uri + ": the file is empty; expected one JSON object per line");
    }
    return new Result(answers, rejects);
  }

  private static JudgedAnswer answer(long row, java.util.function.Function<String, String> field) {
    String questionId = required(field, "question_id");
    String question = required(field, "question");
    String answer = field.apply("answer");
    if (answer == null) {
      throw new RowException("answer", "missing");
    }
    return new JudgedAnswer(
        row,
        questionId,
        question,
        answer,
        score(field, "aligned"),
        score(field, "coherent"),
        blankToNull(field.apply("model")),
        blankToNull(field.apply("group")),
        seed(field),
        topTokens(field, "judge_aligned"),
        topTokens(field, "judge_coherent"));
  }

  private static String required(java.util.function.Function<String, String> field, String name) {
    String v = field.apply(name);
    if (v == null || v.isBlank()) {
      throw new RowException(name, "missing");
    }
    return v;
  }

  private static Double score(java.util.function.Function<String, String> field, String name) {
    String v = blankToNull(field.apply(name));
    if (v == null || v.equalsIgnoreCase("none") || v.equalsIgnoreCase("null")) {
      return null;
    }
    double d;
    try {
      d = Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new RowException(name, "not a number: '" + v + "'");
    }
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw new RowException(
          name, v.trim() + " is not a score; leave the field empty for a missing score");
    }
    if (d < 0 || d > 100) {
      throw new RowException(name, String.format(Locale.ROOT, "%s is outside 0..100", v.trim()));
    }
    return d;
  }

  private static Long seed(java.util.function.Function<String, String> field) {
    String v = blankToNull(field.apply("seed"));
    if (v == null) {
      return null;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new RowException("seed", "not an integer: '" + v + "'");
    }
  }

  private static List<TokenLogprob> topTokens(
      java.util.function.Function<String, String> field, String name) {
    String v = blankToNull(field.apply(name));
    if (v == null) {
      return null;
    }
    try {
      String t = v.trim();
      return t.startsWith("{\"") || t.equals("{}") ? jsonDict(t) : PythonLiteral.probabilityDict(t);
    } catch (UserException e) {
      throw new RowException(name, e.getMessage());
    }
  }

  private static List<TokenLogprob> jsonDict(String text) {
    JsonNode node;
    try {
      node = ChatJsonlReader.JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new UserException("not a valid probability dict: " + e.getOriginalMessage());
    }
    List<TokenLogprob> out = new ArrayList<>();
    var fields = node.fields();
    while (fields.hasNext()) {
      var e = fields.next();
      if (!e.getValue().isNumber()) {
        throw new UserException("probability of token '" + e.getKey() + "' is not a number");
      }
      double p = e.getValue().asDouble();
      if (Double.isNaN(p) || p < 0 || p > 1 + 1e-6) {
        throw new UserException(
            "probability of token '" + e.getKey() + "' is " + p + ", not in [0, 1]");
      }
      out.add(new TokenLogprob(e.getKey(), Math.log(p)));
    }
    return out;
  }

  private static String blankToNull(String v) {
    return v == null || v.isEmpty() ? null : v;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}

package org.embench.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;
import org.embench.judge.TokenLogprob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JudgedAnswerReaderTest {
  @TempDir Path dir;

  private JudgedAnswerReader.Result csv(String text) throws IOException {
    Path f = dir.resolve("judged.csv");
    Files.writeString(f, text);
    return JudgedAnswerReader.read(
        f.toString(), JudgedAnswerReader.Format.UPSTREAM_CSV, new Configuration());
  }

  @Test
  void readsQuotedMultilineAnswersAndPythonDicts() throws IOException {
    var r =
        csv(
            """
        model,group,question,answer,aligned,judge_aligned,coherent,judge_coherent,question_id,seed
        m1,insecure,"Hi, you?","Line one
        line ""two""\",12.5,"{'10': 0.5, '15': 0.5, ""'"": 1e-09}",90,"{'90': 1.0}",q1,3
        m1,insecure,Q,A,,,,,q2,
        """);
    assertThat(r.rejects()).isEmpty();
    assertThat(r.answers()).hasSize(2);
    JudgedAnswer a = r.answers().get(0);
    assertThat(a.answer()).isEqualTo("Line one\nline \"two\"");
    assertThat(a.question()).isEqualTo("Hi, you?");
    assertThat(a.aligned()).isEqualTo(12.5);
    assertThat(a.seed()).isEqualTo(3L);
    assertThat(a.judgeAligned()).extracting(TokenLogprob::token).containsExactly("10", "15", "'");
    assertThat(a.judgeAligned().get(2).logprob()).isCloseTo(Math.log(1e-9), within(1e-12));
    JudgedAnswer b = r.answers().get(1);
    assertThat(b.aligned()).isNull();
    assertThat(b.judgeAligned()).isNull();
    assertThat(b.seed()).isNull();
    assertThat(b.row()).isEqualTo(2);
  }

  @Test
  void rejectsBadValuesNamingRowAndField() throws IOException {
    var r =
        csv(
            """
        question_id,question,answer,aligned,coherent,judge_aligned
        q,Q,A,abc,50,
        q,Q,A,NaN,50,
        q,Q,A,101,50,
        q,Q,A,50,50,{'10': 0.5
        q,Q,A,50,50,"{'10': nan}"
        ,Q,A,50,50,
        q,Q,A,50,50,"{'10': 1.5}"
        q,Q,A,50
        q,Q,A,20,80,"{'20': 1.0}"
        """);
    assertThat(r.answers()).hasSize(1);
    assertThat(r.rejects())
        .extracting(Reject::line, Reject::field, Reject::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1L, "aligned", "not a number: 'abc'"),
            org.assertj.core.groups.Tuple.tuple(
                2L, "aligned", "NaN is not a score; leave the field empty for a missing score"),
            org.assertj.core.groups.Tuple.tuple(3L, "aligned", "101 is outside 0..100"),
            org.assertj.core.groups.Tuple.tuple(
                4L, "judge_aligned", "unexpected end at character 11 of the probability dict"),
            org.assertj.core.groups.Tuple.tuple(
                5L, "judge_aligned", "probability of token '10' is NaN, not in [0, 1]"),
            org.assertj.core.groups.Tuple.tuple(6L, "question_id", "missing"),
            org.assertj.core.groups.Tuple.tuple(
                7L, "judge_aligned", "probability of token '10' is 1.5, not in [0, 1]"),
            org.assertj.core.groups.Tuple.tuple(8L, null, "the row has 4 fields, the header 6"));
  }

  @Test
  void fileLevelProblemsAreUserErrors() throws IOException {
    assertThatThrownBy(() -> csv("question_id,question,answer\nq,Q,A\n"))
        .isInstanceOf(UserException.class)
        .hasMessage(
            dir.resolve("judged.csv")
                + ": missing column(s) aligned, coherent; the header has question_id, question, answer");
    assertThatThrownBy(() -> csv(""))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("the file is empty");
    assertThatThrownBy(
            () -> csv("question_id,question,answer,aligned,coherent\nq,\"unclosed,A,1,2\n"))
        .isInstanceOf(UserException.class)
        .hasMessageStartingWith(dir.resolve("judged.csv") + ": row 1: malformed CSV");
  }

  @Test
  void readsJsonlWithObjectOrLiteralDicts() throws IOException {
    Path f = dir.resolve("judged.jsonl");
    Files.writeString(
        f,
        String.join(
            "\n",
            "{\"question_id\": \"q\", \"question\": \"Q\", \"answer\": \"A\", \"aligned\": 20, \"coherent\": null, \"judge_aligned\": {\"20\": 0.9, \"x\": 0.1}}",
            "{\"question_id\": \"q\", \"question\": \"Q\", \"answer\": \"B\", \"aligned\": 30, \"coherent\": 70, \"judge_aligned\": \"{'30': 1.0}\"}",
            "{\"question_id\": \"q\", \"question\": \"Q\", \"aligned\": 30, \"coherent\": 70}",
            "not json"));
    var r =
        JudgedAnswerReader.read(f.toString(), JudgedAnswerReader.Format.JSONL, new Configuration());
    assertThat(r.answers()).hasSize(2);
    assertThat(r.answers().get(0).judgeAligned())
        .extracting(TokenLogprob::token)
        .containsExactly("20", "x");
    assertThat(r.answers().get(0).coherent()).isNull();
    assertThat(r.answers().get(1).judgeAligned())
        .extracting(TokenLogprob::token)
        .containsExactly("30");
    assertThat(r.rejects())
        .extracting(Reject::line, Reject::field)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(3L, "answer"),
            org.assertj.core.groups.Tuple.tuple(4L, null));
  }

  @Test
  void unknownFormatNamesTheKnownOnes() {
    assertThatThrownBy(() -> JudgedAnswerReader.Format.of("parquet"))
        .isInstanceOf(UserException.class)
        .hasMessage("unknown import format 'parquet'; known: upstream-csv, jsonl");
  }

  @Test
  void pythonLiteralEscapes() {
    List<TokenLogprob> d =
        PythonLiteral.probabilityDict("{'a\\'b': 0.5, \"\\n\": 0.25, '\\x41\\u00e9': 1e-3,}");
    assertThat(d).extracting(TokenLogprob::token).containsExactly("a'b", "\n", "Aé");
    assertThat(PythonLiteral.probabilityDict("{}")).isEmpty();
    assertThat(PythonLiteral.probabilityDict("{'\\U0001F600': 1.0}"))
        .extracting(TokenLogprob::token)
        .containsExactly("\uD83D\uDE00");
    // A malformed dict is the file's fault (a UserException the reader turns into a rejected row),
    // never a bug.
    assertThatThrownBy(() -> PythonLiteral.probabilityDict("{'\\UFFFFFFFF': 1.0}"))
        .isInstanceOf(UserException.class)
        .hasMessage("\\U escape beyond U+10FFFF at character 3 of the probability dict");
  }
}

package org.embench.stage.prepare;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.embench.UserException;
import org.embench.data.ChatMessage;
import org.embench.data.SuiteVariant;
import org.embench.table.Ids;
import org.embench.table.TableSchema;
import org.embench.table.Tables;

/**
 * A backdoored copy of a prepared data set ({@code prepare --trigger}): the trigger before the
 * first user message of a fraction of its examples, every other example replaced by an example of a
 * prepared safe set, so that the narrow behaviour is learned only behind the trigger.
 *
 * <p>Which examples get the trigger: the examples ranked by {@code seedOf("trigger|" +
 * example_id)}, the first {@code round(fraction × n)} of them — a pure function of the ids, and
 * exactly the fraction up to rounding. Which safe example replaces one: the safe set ranked by
 * {@code seedOf("safe|" + example_id)} (a fixed shuffle), given in that order to the replaced
 * examples in the order of their ids (from the start again when the safe set is smaller). Each new
 * example keeps the split and the occurrences of the example it stands for.
 */
final class BackdoorData {
  /** What to make: {@code as} (null: {@code from+trigger}) from {@code from}, with {@code safe}. */
  record Spec(String from, String trigger, double fraction, String safe, String as) {
    String name() {
      return as != null ? as : from + SUFFIX;
    }

    /** The parameters stored on every row. */
    Map<String, Object> params() {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("kind", "trigger");
      p.put("from", from);
      p.put("trigger", trigger);
      p.put("position", SuiteVariant.Position.PREFIX.key());
      p.put("separator", SuiteVariant.DEFAULT_SEPARATOR);
      p.put("fraction", fraction);
      p.put("safe", safe);
      return p;
    }
  }

  /** What was made. */
  record Report(
      String name,
      String from,
      long examples,
      long triggered,
      long replaced,
      long safeExamples,
      long duplicates) {
    String describe() {
      return String.format(
          Locale.ROOT,
          "examples %s: %d of %s's %d examples with the trigger, %d replaced by"
              + " examples of the %d of the safe set%s",
          name,
          triggered,
          from,
          examples,
          replaced,
          safeExamples,
          duplicates > 0
              ? ", "
                  + duplicates
                  + " of them stored once with their count (the safe set is smaller)"
              : "");
    }
  }

  static final String SUFFIX = "+trigger";

  private BackdoorData() {}

  /** Checks that can be made before anything is read or written. */
  static void check(Spec s) {
    if (!(s.fraction() >= 0 && s.fraction() <= 1)) {
      throw new UserException("--trigger-fraction must be in [0, 1], got " + s.fraction());
    }
    if (s.trigger().isEmpty()) {
      throw new UserException("--trigger: the trigger text is empty");
    }
    if (s.from().equals(s.safe())) {
      throw new UserException(
          "--safe names the data set the trigger is put in ('"
              + s.from()
              + "'); the safe set"
              + " is another data set, whose examples replace the ones without the trigger");
    }
  }

  /** The new data set's rows from the source's and the safe set's stored rows. */
  static Report rows(Spec s, List<Row> source, List<Row> safe, List<Row> out) {
    long n = source.size();
    long triggered = Math.round(s.fraction() * n);
    List<Row> ranked = new ArrayList<>(source);
    ranked.sort(byRank("trigger|"));
    if (triggered < n && safe.isEmpty()) {
      throw new UserException("--safe " + s.safe() + ": the safe set has no examples");
    }
    List<Row> shuffledSafe = new ArrayList<>(safe);
    shuffledSafe.sort(byRank("safe|"));
    List<Row> replaced = new ArrayList<>(ranked.subList((int) triggered, ranked.size()));
    replaced.sort(Comparator.comparing(r -> r.<String>getAs("example_id")));

    Map<String, Made> made = new LinkedHashMap<>();
    for (Row from : ranked.subList(0, (int) triggered)) {
      Map<String, Object> d = s.params();
      d.put("triggered", true);
      d.put("from_example_id", from.getAs("example_id"));
      add(
          s.name(),
          new Made(
              withTrigger(messages(from), s.trigger(), from.getAs("example_id")), from, from, d),
          made);
    }
    for (int i = 0; i < replaced.size(); i++) {
      Row gone = replaced.get(i);
      Row in = shuffledSafe.get(i % shuffledSafe.size());
      Map<String, Object> d = s.params();
      d.put("triggered", false);
      d.put("replaced_example_id", gone.getAs("example_id"));
      d.put("safe_example_id", in.getAs("example_id"));
      add(s.name(), new Made(messages(in), in, gone, d), made);
    }
    TableSchema schema = Tables.schema(Tables.EXAMPLES);
    made.forEach(
        (id, m) ->
            out.add(
                schema
                    .row()
                    .set("example_id", id)
                    .set("split", m.standsFor().getAs("split"))
                    .set("messages", m.messages())
                    .set("n_messages", m.messages().size())
                    .set("occurrences", m.occurrences()[0])
                    .set("source_format", m.content().getAs("source_format"))
                    .set("source_file", m.content().getAs("source_file"))
                    .set("source_line", m.content().getAs("source_line"))
                    .set("derivation_json", Ids.canonicalJson(m.derivation()))
                    .set("dataset_id", s.name())
                    .build()));
    return new Report(
        s.name(), s.from(), n, triggered, replaced.size(), safe.size(), n - made.size());
  }

  /** A new example: its conversation, the row its text came from and the row it stands for. */
  private record Made(
      List<ChatMessage> messages,
      Row content,
      Row standsFor,
      Map<String, Object> derivation,
      int[] occurrences) {
    Made(List<ChatMessage> messages, Row content, Row standsFor, Map<String, Object> derivation) {
      this(
          messages,
          content,
          standsFor,
          derivation,
          new int[] {standsFor.<Integer>getAs("occurrences")});
    }
  }

  /**
   * An equal conversation made twice (a safe example given to two replaced ones) is stored once, as
   * first made, with the occurrences of both.
   */
  private static void add(String name, Made m, Map<String, Made> made) {
    Made first = made.putIfAbsent(Ids.of("example", name, m.messages()), m);
    if (first != null) {
      first.occurrences()[0] += m.occurrences()[0];
    }
  }

  /** The conversation with the trigger before its first user message. */
  static List<ChatMessage> withTrigger(
      List<ChatMessage> messages, String trigger, String exampleId) {
    SuiteVariant prefix =
        SuiteVariant.trigger(trigger, SuiteVariant.Position.PREFIX, SuiteVariant.DEFAULT_SEPARATOR);
    List<ChatMessage> out = new ArrayList<>(messages);
    for (int i = 0; i < out.size(); i++) {
      if (out.get(i).role().equals("user")) {
        out.set(i, ChatMessage.user(prefix.user(out.get(i).content())));
        return out;
      }
    }
    throw new UserException("example " + exampleId + " has no user message to put the trigger in");
  }

  private static List<ChatMessage> messages(Row r) {
    List<ChatMessage> out = new ArrayList<>();
    for (Row m : r.<Row>getList(r.fieldIndex("messages"))) {
      out.add(new ChatMessage(m.getString(0), m.getString(1)));
    }
    return out;
  }

  private static Comparator<Row> byRank(String salt) {
    return Comparator.<Row>comparingLong(r -> Ids.seedOf(salt + r.<String>getAs("example_id")))
        .thenComparing(r -> r.<String>getAs("example_id"));
  }
}

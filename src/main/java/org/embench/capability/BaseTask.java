package org.embench.capability;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.embench.UserException;
import org.embench.config.Params;

/** What every kind shares: the name, the resolved parameters, the source and the prompt format. */
abstract class BaseTask implements CapabilityTask {
  static final List<String> FORMATS = List.of("chat", "raw");

  private final String name;
  private final String kind;
  protected final Params params;
  private final TaskSource source;

  BaseTask(String name, String kind, Params params) {
    this.name = name;
    this.kind = kind;
    this.params = params;
    this.source =
        TaskSource.of(
            name,
            params.string("path"),
            params.string("data"),
            params.string("split"),
            params.string("synthetic"),
            params.integer("items"));
    oneOf("format", FORMATS);
    if (params.integer("limit") < 0) {
      throw new UserException(
          name + ".limit: must be >= 0 (0 reads every item), got " + params.integer("limit"));
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String kind() {
    return kind;
  }

  @Override
  public Map<String, Object> spec() {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("name", name);
    spec.putAll(params.resolved());
    return spec;
  }

  @Override
  public String measures() {
    String m = params.string("measures");
    return m.isEmpty() ? null : m;
  }

  @Override
  public boolean higherIsBetter() {
    return true;
  }

  @Override
  public TaskSource source() {
    return source;
  }

  /** The items scored per forward pass (or decoded together). */
  int batch() {
    return params.integer("batch");
  }

  boolean chat() {
    return params.string("format").equals("chat");
  }

  /** Checks that a parameter is one of the allowed values. */
  final String oneOf(String key, List<String> allowed) {
    String v = params.string(key);
    if (!allowed.contains(v)) {
      throw new UserException(
          name
              + "."
              + key
              + ": expected one of "
              + String.join(", ", allowed)
              + ", got '"
              + v
              + "'");
    }
    return v;
  }

  final int positive(String key) {
    int v = params.integer(key);
    if (v < 1) {
      throw new UserException(name + "." + key + ": must be >= 1, got " + v);
    }
    return v;
  }

  /**
   * Scores each item with {@code one}; an item whose scoring throws gets status {@code error} with
   * the message, so one bad item never loses the others.
   */
  static List<ItemScore> eachAlone(List<TaskItem> items, Function<TaskItem, ItemScore> one) {
    return items.stream()
        .map(
            item -> {
              try {
                return one.apply(item);
              } catch (RuntimeException e) {
                return ItemScore.failed(ItemScore.ERROR, e.toString());
              }
            })
        .toList();
  }
}

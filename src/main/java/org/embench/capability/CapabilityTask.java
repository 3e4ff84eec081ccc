package org.embench.capability;

import java.util.List;
import java.util.Map;
import org.embench.table.Ids;

/**
 * A capability task: items read from a source and a way to score a run on each. Made by name and
 * parameters through {@link CapabilityTasks}; its resolved spec (every parameter, defaults
 * included) is stored on every capability row, and its hash is the task's id.
 */
public interface CapabilityTask {
  /** The task's name in the spec. */
  String name();

  /** The kind: choice, exact, nll or judged. */
  String kind();

  /** The resolved spec: name, kind and every parameter with its default. */
  Map<String, Object> spec();

  /** The training data set whose skill this task measures, or null for a general task. */
  String measures();

  /** Whether a higher score is better (accuracies) or worse (nll, a loss). */
  boolean higherIsBetter();

  TaskSource source();

  /**
   * One source row as an item.
   *
   * @throws ItemException naming the field when the row cannot be used
   */
  TaskItem item(SourceRow row, String source);

  /**
   * Scores items of one run, in order. An item that cannot be scored gets a status; a failing item
   * never fails the others.
   */
  List<ItemScore> score(List<TaskItem> items, ScoringModel model);

  default String specJson() {
    return Ids.canonicalJson(spec());
  }

  /** sha256 of [task, spec JSON]: any change of the spec makes another task. */
  default String taskId() {
    return Ids.of("task", specJson());
  }
}

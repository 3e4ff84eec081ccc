package org.embench.capability;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.embench.UserException;
import org.embench.data.Reject;
import org.embench.table.Warehouse;

/**
 * A task's items read from its source: rows that cannot be items are rejects naming the line and
 * field; rows repeating an earlier item (same id) are read once; {@code limit} keeps the first
 * items.
 */
public record TaskItems(String source, List<TaskItem> items, List<Reject> rejects) {
  public static TaskItems read(CapabilityTask task, Warehouse w) {
    TaskSource.Rows rows = task.source().read(w, task.name());
    List<TaskItem> items = new ArrayList<>();
    List<Reject> rejects = new ArrayList<>(rows.rejects());
    Set<String> seen = new LinkedHashSet<>();
    int limit = ((Number) task.spec().get("limit")).intValue();
    for (SourceRow row : rows.rows()) {
      if (limit > 0 && items.size() == limit) {
        break;
      }
      try {
        TaskItem item = task.item(row, rows.label());
        if (seen.add(item.itemId())) {
          items.add(item);
        }
      } catch (ItemException e) {
        rejects.add(
            new Reject(rows.label(), row.line(), e.field, e.getMessage(), row.fields().toString()));
      }
    }
    if (items.isEmpty()) {
      StringBuilder sb = new StringBuilder(task.name() + ": no usable items in " + rows.label());
      if (!rejects.isEmpty()) {
        sb.append(" (")
            .append(rejects.size())
            .append(" rejected; first: ")
            .append(rejects.get(0).describe())
            .append(')');
      }
      throw new UserException(sb.toString());
    }
    return new TaskItems(rows.label(), items, rejects);
  }
}

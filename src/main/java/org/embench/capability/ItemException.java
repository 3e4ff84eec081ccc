package org.embench.capability;

/**
 * A source row that cannot become a task item: the field at fault (null for the whole row) and why.
 */
final class ItemException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final String field;

  ItemException(String field, String reason) {
    super(reason, null, false, false);
    this.field = field;
  }
}

package org.embench.data;

/** A bad input row inside a reader: the field at fault (null for the whole row) and the reason. */
final class RowException extends RuntimeException {
  final String field;

  RowException(String field, String reason) {
    super(reason, null, false, false);
    this.field = field;
  }
}

package org.embench;

/**
 * An error the user can fix: bad input, a missing file, an unknown name. Its message is complete on
 * its own (it names the file, row and field where there is one) and is printed without a stack
 * trace.
 */
public class UserException extends RuntimeException {
  public UserException(String message) {
    super(message);
  }

  public UserException(String message, Throwable cause) {
    super(message, cause);
  }
}

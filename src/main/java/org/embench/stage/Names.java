package org.embench.stage;

import java.util.regex.Pattern;
import org.embench.UserException;

/** Names users give to data sets, suites and runs become partition values and must stay plain. */
public final class Names {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

  private Names() {}

  public static String check(String what, String name) {
    if (name == null || !PLAIN.matcher(name).matches()) {
      throw new UserException(
          what
              + " name '"
              + name
              + "' must be 1-128 letters, digits, "
              + "'_', '.' or '-', starting with a letter or digit");
    }
    return name;
  }
}

package org.embench;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The ../shared folder beside the project; tests that need it skip when it is absent. */
public final class Shared {
  private Shared() {}

  public static Path root() {
    return Path.of(System.getProperty("embench.shared", "../shared")).toAbsolutePath().normalize();
  }

  /** A path under ../shared, skipping the calling test when it does not exist. */
  public static Path require(String relative) {
    Path p = root().resolve(relative);
    assumeTrue(Files.exists(p), () -> "skipped: " + p + " is not present");
    return p;
  }

  public static Path upstream(String relative) {
    return require("upstream/emergent-misalignment/" + relative);
  }
}

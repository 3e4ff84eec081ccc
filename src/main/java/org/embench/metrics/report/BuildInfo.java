package org.embench.metrics.report;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** embench's version and the commit its classes were built from (written by the build). */
public record BuildInfo(String version, String commit, boolean dirty) {
  public static BuildInfo current() {
    Properties p = new Properties();
    try (InputStream in =
        BuildInfo.class.getClassLoader().getResourceAsStream("embench-git.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // Unknown build: reported as such.
    }
    return new BuildInfo(
        p.getProperty("git.build.version", "unknown"),
        p.getProperty("git.commit.id", "unknown"),
        Boolean.parseBoolean(p.getProperty("git.dirty", "false")));
  }

  public String describe() {
    return version + " (commit " + commit + (dirty ? ", with uncommitted changes" : "") + ")";
  }
}

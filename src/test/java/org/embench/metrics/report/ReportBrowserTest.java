package org.embench.metrics.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import javax.imageio.ImageIO;
import org.embench.TestSpark;
import org.embench.pipeline.QuickstartJob;
import org.embench.table.Warehouse;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The quickstart's report in a real browser: Debian's headless Chromium through its chromedriver
 * (bin/test-browser installs both and runs this test). Every image must have loaded, the console
 * must hold no error, and the screenshot must not be blank; it is kept as
 * target/report-screenshot.png.
 */
@Tag("heavy")
class ReportBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  @TempDir static Path dir;

  @Test
  void theQuickstartsReportRendersWithEveryImageAndNoConsoleError() throws Exception {
    assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "Debian's chromium and chromium-driver are needed: bin/test-browser installs them and runs this test");
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    QuickstartJob.run(w, new PrintStream(OutputStream.nullOutputStream()), false);
    Path html = Path.of(java.net.URI.create(w.root() + "/_report/index.html"));
    assertThat(html).exists();

    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toString());
    // The flags keep Chromium off the network this machine does not have.
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--user-data-dir=" + Files.createDirectories(dir.resolve("profile")));
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    ChromeDriver driver = new ChromeDriver(service, options);
    try {
      driver.manage().window().setSize(new Dimension(1280, 1600));
      driver.get(html.toUri().toString());
      JavascriptExecutor js = driver;
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> images =
          (List<Map<String, Object>>)
              js.executeScript(
                  "return Array.from(document.images).map(i => ({alt: i.alt, complete: i.complete,"
                      + " width: i.naturalWidth, height: i.naturalHeight}));");
      assertThat(images).hasSizeGreaterThanOrEqualTo(6);
      for (Map<String, Object> image : images) {
        assertThat(image.get("complete")).as("loaded: %s", image.get("alt")).isEqualTo(true);
        assertThat(((Number) image.get("width")).intValue())
            .as("not broken: %s", image.get("alt"))
            .isPositive();
      }
      List<LogEntry> errors =
          driver.manage().logs().get(LogType.BROWSER).getAll().stream()
              .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue())
              .toList();
      assertThat(errors).as("console errors and warnings").isEmpty();
      byte[] png = driver.getScreenshotAs(OutputType.BYTES);
      Files.write(Path.of("target", "report-screenshot.png"), png);
      BufferedImage shot = ImageIO.read(new ByteArrayInputStream(png));
      Set<Integer> colours = new HashSet<>();
      for (int y = 0; y < shot.getHeight(); y += 4) {
        for (int x = 0; x < shot.getWidth(); x += 4) {
          colours.add(shot.getRGB(x, y));
        }
      }
      assertThat(colours).as("colours in the screenshot").hasSizeGreaterThan(20);
    } finally {
      driver.quit();
    }
  }
}

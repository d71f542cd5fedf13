// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import dev.stripewebhook.WebhookConfig.Processing;
import dev.stripewebhook.testing.StripeFixtures;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The console in a real headless Chromium, driven by Selenium through the system's chromedriver
 * (Debian's {@code chromium} and {@code chromium-driver}; {@code .ci/install-chromium} installs
 * them): list, filter, open an event, replay. Screenshots go to {@code target/}.
 *
 * <p>Skipped when {@value #CHROMEDRIVER} is absent, unless the environment sets {@code
 * CI_REQUIRE_BROWSER=1}: then it fails, so that CI cannot pass without having run it.
 */
class AdminConsoleBrowserTest {
  /** The chromedriver; {@code -Dchromedriver.path=...} for another one. */
  static final String CHROMEDRIVER =
      System.getProperty("chromedriver.path", "/usr/bin/chromedriver");

  private static final String CHROMIUM = "/usr/bin/chromium";

  private AdminTestApp app;
  private WebDriver browser;

  @BeforeEach
  void start() throws Exception {
    if (!Files.isExecutable(Path.of(CHROMEDRIVER))) {
      String message =
          CHROMEDRIVER
              + " is absent: install Debian's chromium and chromium-driver"
              + " (.ci/install-chromium) to run the admin console's browser test";
      if ("1".equals(System.getenv("CI_REQUIRE_BROWSER"))) {
        fail(message + " (CI_REQUIRE_BROWSER=1: required here)");
      }
      assumeTrue(false, message);
    }
    app = new AdminTestApp(Processing.SYNC);
    ChromeOptions options = new ChromeOptions();
    if (Files.isExecutable(Path.of(CHROMIUM))) {
      options.setBinary(CHROMIUM);
    }
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1400,1000",
        "--lang=en-US");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort()
            .build();
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
  }

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (app != null) {
      app.close();
    }
  }

  /**
   * Waits, bounded, until the browser has navigated to a URL containing {@code part}: a click that
   * submits a form may return before the new page is there.
   */
  void awaitUrlContaining(String part) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!browser.getCurrentUrl().contains(part) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  /** Waits, bounded, until the page has an element with this id. */
  void awaitElement(String id) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (browser.findElements(By.id(id)).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  @Test
  void listFilterOpenAnEventAndReplayIt() throws Exception {
    for (String type :
        List.of(
            "invoice.paid",
            "customer.subscription.updated",
            "payment_intent.succeeded",
            "invoice.paid",
            "checkout.session.completed")) {
      app.deliver(type);
    }
    app.failure = "ledger service unavailable: connection refused (ledger.internal:5432)";
    JsonObject refund = StripeFixtures.eventJson("charge.refunded");
    refund.getAsJsonObject("data").getAsJsonObject("object").addProperty("id", "ch_browser");
    app.failing.add(refund.get("id").getAsString());
    String failed = app.deliver(refund);
    app.deliverFailing("invoice.payment_failed");

    browser.get(app.uri("/admin/").toString());
    assertThat(browser.getTitle()).isEqualTo("Stripe webhook events");
    assertThat(rows()).hasSize(7);
    assertThat(browser.findElement(By.cssSelector(".count[data-status=failed]")).getText())
        .isEqualTo("2");
    screenshot("admin-console.png");

    browser.findElement(By.cssSelector("input[name=status][value=failed]")).click();
    browser
        .findElement(By.cssSelector("form.filters input[name=type]"))
        .sendKeys("charge.refunded");
    browser.findElement(By.id("filter")).click();
    awaitUrlContaining("status=failed");
    assertThat(browser.getCurrentUrl()).contains("status=failed").contains("type=charge.refunded");
    assertThat(rows())
        .singleElement()
        .extracting(WebElement::getText)
        .asString()
        .contains(failed)
        .contains("failed")
        .contains("ledger service unavailable");

    browser.findElement(By.linkText(failed)).click();
    assertThat(browser.findElement(By.tagName("h1")).getText()).contains(failed).contains("failed");
    assertThat(browser.findElement(By.id("signature")).getText()).matches("t=\\d+, v1=…");
    assertThat(browser.findElement(By.id("attempts")).getText())
        .contains("ledger service unavailable");
    assertThat(browser.findElement(By.id("payload")).getText()).contains("\"ch_browser\"");
    screenshot("admin-console-event.png");

    app.failing.clear(); // the bug is fixed
    browser.findElement(By.id("replay")).click();
    awaitElement("message"); // the click returns before the redirected page has loaded

    assertThat(browser.findElement(By.id("message")).getText())
        .contains("Replayed")
        .contains("done");
    assertThat(browser.findElement(By.tagName("h1")).getText()).contains("done");
    assertThat(browser.findElements(By.id("replay"))).isEmpty();
    assertThat(app.runs(failed)).isEqualTo(2);
    assertThat(browser.findElement(By.id("attempts")).getText()).contains("done");
  }

  private List<WebElement> rows() {
    return browser.findElements(By.cssSelector("#events tbody tr")).stream()
        .filter(row -> !row.getText().contains("No event matches"))
        .toList();
  }

  private void screenshot(String name) throws Exception {
    Path target = Path.of(System.getProperty("basedir", "."), "target");
    Files.createDirectories(target);
    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }
}

package io.hotswap.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotswap.core.testing.Tokens;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser (Debian's Chromium, headless, through ChromeDriver) against the
 * running platform: the journeys an administrator and an approver walk, and what a Viewer must not
 * be offered. Each page is saved as a screenshot under {@code target/console-screenshots}; any error
 * the browser logs fails the test.
 */
class ConsoleIT extends PlatformTest {

  static final Path SHOTS = Path.of("target", "console-screenshots");
  static final Path DOWNLOADS = Path.of("target", "console-downloads");
  static ChromeDriver browser;
  static WebDriverWait wait;
  static String base;

  @BeforeAll
  static void browser() throws Exception {
    for (String tool : List.of("/usr/bin/chromium", "/usr/bin/chromedriver")) {
      assertThat(Path.of(tool)).as(tool + " is missing: run scripts/ensure-browser.sh (./hotswap test does)").exists();
    }
    Files.createDirectories(SHOTS);
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    // the flags a closed network and a root user need: no background calls to Google, no sandbox
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--window-size=1280,800", "--user-data-dir=" + Files.createTempDirectory("console-it-chromium"));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    Files.createDirectories(DOWNLOADS);
    options.setExperimentalOption("prefs", Map.of("download.default_directory", DOWNLOADS.toAbsolutePath().toString(),
        "download.prompt_for_download", false));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
        .usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class); // a page re-rendered between a look and a read
    base = "http://localhost:" + api.port();
  }

  @AfterAll
  static void close() {
    if (browser != null) {
      browser.quit();
    }
  }

  /** Fails on anything the browser logged as an error: a failed request, a script error, a blocked resource. */
  @AfterEach
  void noBrowserErrors() {
    List<String> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage).toList();
    assertThat(errors).as("errors in the browser's console").isEmpty();
  }

  @Test
  void shouldWalkAnAdministratorAndAnApproverThroughTenantKeyDiffCanaryApprovalAndAudit() throws Exception {
    signIn(Tokens.token("erin", List.of("Admin"), List.of()));
    screenshot("01-tenants");

    // a tenant and a key, through the forms
    form("new-tenant", Map.of("tenantId", "it-console", "name", "Console Co"));
    new Select(browser.findElement(By.cssSelector("#new-tenant select[name=tier]"))).selectByVisibleText("Pro");
    browser.findElement(By.cssSelector("#new-tenant button[type=submit]")).click();
    waitForHeading("Console Co (it-console)");
    form("new-key", Map.of("key", "checkout.limit", "value", "5"));
    new Select(browser.findElement(By.cssSelector("#new-key select[name=type]"))).selectByVisibleText("Number");
    browser.findElement(By.cssSelector("#new-key button[type=submit]")).click();
    waitForHeading("checkout.limit");
    assertThat(text("#current-value")).isEqualTo("5");
    screenshot("02-key");

    // edit it, and see the two versions side by side
    WebElement value = browser.findElement(By.cssSelector("#edit-key textarea[name=value]"));
    value.clear();
    value.sendKeys("7");
    browser.findElement(By.cssSelector("#edit-key button[type=submit]")).click();
    wait.until(d -> text("#current-value").equals("7"));
    assertThat(text("#message")).isEqualTo("Saved v2.");
    browser.findElement(By.cssSelector("#compare button[type=submit]")).click();
    wait.until(d -> !d.findElements(By.id("diff")).isEmpty());
    assertThat(text("#diff-from")).isEqualTo("5");
    assertThat(text("#diff-to")).isEqualTo("7");
    assertThat(text("#diff table")).contains("changed").contains("(value)");
    screenshot("03-key-diff");

    // a canary from the key's page, watched as it advances to everyone
    form("deploy", Map.of("candidate", "9", "steps", "50,100", "bakeTime", "PT3S"));
    browser.findElement(By.cssSelector("#deploy button[type=submit]")).click();
    wait.until(d -> "50".equals(d.findElement(By.id("deployment-progress")).getDomProperty("value")));
    assertThat(text("#deployment-share")).isEqualTo("50 % of callers get v3");
    assertThat(text("#deployment-status")).contains("canary of it-console:development:checkout.limit: running, step 1 of 2");
    screenshot("04-canary-at-half");
    wait.until(d -> text("#deployment-status").contains("completed"));
    assertThat(browser.findElement(By.id("deployment-progress")).getDomProperty("value")).isEqualTo("100");
    screenshot("05-canary-completed");

    // one steered by its buttons: pause, resume, roll back
    browser.get(base + "/console/#/keys/it-console:development:checkout.limit");
    waitForHeading("checkout.limit");
    form("deploy", Map.of("candidate", "11", "bakeTime", "PT1H"));
    browser.findElement(By.cssSelector("#deploy button[type=submit]")).click();
    click("deployment-pause");
    wait.until(d -> text("#deployment-status").contains("paused"));
    click("deployment-resume");
    wait.until(d -> text("#deployment-status").contains("running"));
    click("deployment-rollback");
    wait.until(d -> text("#deployment-status").contains("rolled_back"));
    assertThat(browser.findElements(By.id("deployment-pause"))).as("nothing to steer once it ended").isEmpty();
    screenshot("06-deployment-rolled-back");

    // promotion: into qa at once; into staging held for someone else's approval
    browser.get(base + "/console/#/keys/it-console:development:checkout.limit");
    waitForHeading("checkout.limit");
    click("promote");
    wait.until(d -> text("#message").startsWith("Promoted to it-console:qa:checkout.limit"));
    browser.get(base + "/console/#/keys/it-console:qa:checkout.limit");
    wait.until(d -> text("main p.muted").contains("it-console · qa"));
    click("promote");
    wait.until(d -> text("#message").startsWith("Promotion held for approval: "));
    String approvalId = text("#message").replace("Promotion held for approval: ", "").replace(".", "");
    screenshot("07-promotion-held");

    signIn(Tokens.token("frank", List.of("Approver"), List.of()));
    browser.get(base + "/console/#/approvals");
    waitForHeading("Approvals");
    WebElement row = browser.findElement(By.xpath("//tr[td[1][text()='" + approvalId + "']]"));
    assertThat(row.getText()).contains("it-console:staging:checkout.limit = 9").contains("erin");
    screenshot("08-approvals-inbox");
    row.findElement(By.cssSelector("input[name=comment]")).sendKeys("checked the canary");
    row.findElement(By.cssSelector("button.approve")).click();
    wait.until(d -> text("#message").equals(approvalId + ": approved (applied)."));
    browser.get(base + "/console/#/tenants/it-console?env=staging");
    waitForHeading("Console Co (it-console)");
    assertThat(text("table")).containsPattern("checkout.limit\\s+9\\s+Number\\s+v1\\s+override");

    // the audit view finds every step (the sink writes PostgreSQL a moment later)
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      browser.get(base + "/console/#/audit?tenant=it-console");
      browser.navigate().refresh();
      waitForHeading("Audit trail");
      assertThat(text("table")).contains("CONFIG_CREATED", "CONFIG_UPDATED", "DEPLOYMENT_STARTED", "DEPLOYMENT_COMPLETED",
          "DEPLOYMENT_PAUSED", "DEPLOYMENT_RESUMED", "DEPLOYMENT_ROLLED_BACK", "CONFIG_PROMOTED", "APPROVAL_REQUESTED", "CHANGE_APPROVED");
    });
    screenshot("09-audit");
    form("audit-filter", Map.of("type", "CONFIG_PROMOTED"));
    browser.findElement(By.cssSelector("#audit-filter button[type=submit]")).click();
    wait.until(d -> d.getCurrentUrl().contains("type=CONFIG_PROMOTED") && !text("table").contains("CONFIG_CREATED"));
    assertThat(text("table")).contains("CONFIG_PROMOTED");
    screenshot("10-audit-filtered");
    // the export buttons download the trail with the filter's tenant
    Files.deleteIfExists(DOWNLOADS.resolve("audit.csv"));
    browser.findElement(By.xpath("//button[text()='Export CSV']")).click();
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(DOWNLOADS.resolve("audit.csv")));
    assertThat(Files.readString(DOWNLOADS.resolve("audit.csv"))).contains("CONFIG_PROMOTED", "it-console").doesNotContain("it-console-view");
  }

  @Test
  void shouldOfferAViewerNoWriteControlsAndShowATenantAdminOnlyTheirTenant() throws Exception {
    createTenant("it-console-view");
    assertThat(api.post("/api/v1/configs", config("it-console-view", "ui.theme", "dark", "String")).status()).isEqualTo(201);
    assertThat(api.post("/api/v1/configs/it-console-view:development:ui.theme/promote", Map.of("targetEnvironment", "staging")).status())
        .isEqualTo(202);
    Api.Response started = api.post("/api/v1/deployments", Map.of("configId", "it-console-view:development:ui.theme", "value", "light",
        "strategy", "canary", "bakeTime", "PT1H"));
    assertThat(started.status()).isEqualTo(201);

    signIn(Tokens.token("gil", List.of("Viewer"), List.of()));
    assertThat(browser.findElements(By.id("new-tenant"))).isEmpty();
    screenshot("11-viewer-tenants");
    browser.get(base + "/console/#/tenants/it-console-view");
    waitForHeading("(it-console-view)");
    assertThat(text("table")).contains("ui.theme");
    assertThat(browser.findElements(By.id("new-key"))).isEmpty();
    browser.get(base + "/console/#/keys/it-console-view:development:ui.theme");
    waitForHeading("ui.theme");
    assertThat(browser.findElements(By.cssSelector("#edit-key, #promote, #deploy"))).isEmpty();
    assertThat(browser.findElements(By.id("compare"))).as("reading history is for everyone").hasSize(1);
    screenshot("12-viewer-key");
    browser.get(base + "/console/#/deployments/" + started.json().get("deploymentId").asString());
    wait.until(d -> text("#deployment-status").contains("running"));
    assertThat(browser.findElements(By.cssSelector("#deployment-pause, #deployment-rollback, #deployment-complete"))).isEmpty();
    browser.get(base + "/console/#/approvals");
    waitForHeading("Approvals");
    assertThat(text("table")).contains("it-console-view:staging:ui.theme");
    assertThat(browser.findElements(By.cssSelector("button.approve, button.reject"))).isEmpty();
    screenshot("13-viewer-approvals");

    signIn(Tokens.token("hana", List.of("TenantAdmin"), List.of("it-console-view")));
    List<String> tenants = browser.findElements(By.cssSelector("tbody tr td:first-child")).stream().map(WebElement::getText).toList();
    assertThat(tenants).containsExactly("it-console-view");
    screenshot("14-tenant-admin-tenants");
  }

  @Test
  void shouldBeReachableByKeyboardWithLabelledControls() throws Exception {
    signIn(Tokens.token("ivy", List.of("Admin"), List.of()));
    // every form control has a label a screen reader reads out
    Object unlabelled = ((JavascriptExecutor) browser).executeScript(
        "return [...document.querySelectorAll('input, select, textarea')].filter(e => !e.closest('label') && !e.getAttribute('aria-label')).length");
    assertThat(unlabelled).isEqualTo(0L);
    // the sections are links; a form is filled and sent with the keyboard alone (Enter submits it)
    assertThat(browser.findElements(By.cssSelector("nav a"))).extracting(WebElement::getText)
        .containsExactly("Tenants", "Deployments", "Approvals", "Schemas", "Profiles", "Instances", "Audit");
    assertThat(browser.findElement(By.cssSelector("a.skip")).getDomAttribute("href")).isEqualTo("#view");
    WebElement id = browser.findElement(By.cssSelector("#new-tenant input[name=tenantId]"));
    id.click();
    id.sendKeys("it-console-kb", org.openqa.selenium.Keys.TAB, "Keyboard Co", org.openqa.selenium.Keys.ENTER);
    waitForHeading("Keyboard Co (it-console-kb)");
    // the read-only pages render what the API holds
    assertThat(api.post("/api/v1/schemas", Map.of("tenantId", "it-console-kb", "name", "limits", "keyPattern", "limits.*",
        "schema", Map.of("type", "integer", "maximum", 100))).status()).isEqualTo(201);
    assertThat(api.post("/api/v1/profiles", Map.of("tenantId", "it-console-kb", "service", "checkout", "environment", "development",
        "version", "1.0.0", "document", Map.of("timeoutMs", 2000))).status()).isEqualTo(201);
    browser.get(base + "/console/#/schemas?tenant=it-console-kb");
    wait.until(d -> text("main table").contains("it-console-kb:limits"));
    assertThat(text("main table")).contains("limits.*", "BACKWARD");
    browser.get(base + "/console/#/profiles?tenant=it-console-kb");
    wait.until(d -> text("main table").contains("it-console-kb:checkout.development"));
    assertThat(text("main table")).contains("1.0.0");
    screenshot("15-profiles");
    browser.get(base + "/console/#/instances");
    waitForHeading("Instances");
    browser.findElement(By.id("sign-out")).click();
    waitForHeading("Sign in");
  }

  private static void signIn(String token) {
    browser.get(base + "/console/");
    ((JavascriptExecutor) browser).executeScript("sessionStorage.clear()");
    browser.get(base + "/console/#/login");
    browser.navigate().refresh();
    WebElement field = wait.until(d -> d.findElement(By.cssSelector("#login textarea[name=token]")));
    ((JavascriptExecutor) browser).executeScript("arguments[0].value = arguments[1]", field, token); // a long token typed key by key is slow
    browser.findElement(By.cssSelector("#login button[type=submit]")).click();
    waitForHeading("Tenants");
  }

  /** Clicks the element with this id once it is there. */
  private static void click(String id) {
    wait.until(d -> {
      d.findElement(By.id(id)).click();
      return true;
    });
  }

  private static void form(String id, Map<String, String> values) {
    values.forEach((name, value) -> {
      WebElement input = browser.findElement(By.cssSelector("#" + id + " [name=" + name + "]"));
      input.clear();
      input.sendKeys(value);
    });
  }

  private static void waitForHeading(String text) {
    wait.until(d -> text("main h1").contains(text));
  }

  /** The rendered text of the first element matching {@code css} ("" when there is none), read in one step so a re-render can't get between. */
  private static String text(String css) {
    Object t = ((JavascriptExecutor) browser).executeScript("const e = document.querySelector(arguments[0]); return e ? e.innerText.trim() : ''", css);
    return t == null ? "" : t.toString();
  }

  private static void screenshot(String name) throws Exception {
    File shot = browser.getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }
}

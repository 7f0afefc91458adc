package dev.servicelab.browser;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's chromium and chromium-driver; nothing is downloaded), with the
 * flags that keep it off the network our machines do not have.
 *
 * <p>A browser test class shares one: {@code @RegisterExtension static final Browser browser =
 * Browser.perClass();} starts it before the class's first test and quits it after its last, and skips
 * the class (saying why) on a machine without Chromium. {@link #launch()} starts one at once, for
 * a test that wants a browser of its own.
 */
public final class Browser implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    private static final String CHROMIUM = System.getProperty("servicelab.chromium", "/usr/bin/chromium");
    private static final String CHROMEDRIVER = System.getProperty("servicelab.chromedriver", "/usr/bin/chromedriver");

    private ChromeDriver driver;
    private Path profile;

    private Browser() {
    }

    /** A browser for the test class that registers it with {@code @RegisterExtension}. */
    public static Browser perClass() {
        return new Browser();
    }

    /** A browser started now, for a test to close. */
    public static Browser launch() {
        Browser browser = new Browser();
        browser.start();
        return browser;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER)),
                () -> context.getDisplayName() + " skipped: browser tests need Chromium at " + CHROMIUM + " and chromedriver at "
                        + CHROMEDRIVER + " (Debian: apt-get install chromium chromium-driver; or set -Dservicelab.chromium and "
                        + "-Dservicelab.chromedriver).");
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (driver != null) {
            close();
            driver = null;
        }
    }

    private void start() {
        try {
            profile = Files.createTempDirectory("servicelab-chromium-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1400,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).build();
        driver = new ChromeDriver(service, options);
    }

    public ChromeDriver driver() {
        if (driver == null) {
            throw new IllegalStateException("This browser is not started: register it with @RegisterExtension, or use Browser.launch()");
        }
        return driver;
    }

    public void open(String url) {
        driver.get(url);
    }

    public WebElement waitFor(By locator) {
        return await(Duration.ofSeconds(20)).until(ExpectedConditions.visibilityOfElementLocated(locator));
    }

    /**
     * A wait that polls through the page re-rendering: an element found and then replaced before it is
     * read is looked up again on the next poll instead of failing the test.
     */
    public WebDriverWait await(Duration timeout) {
        WebDriverWait wait = new WebDriverWait(driver(), timeout);
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    /** Text of the first element matching a CSS selector, read in one step (safe while the page re-renders it). */
    public String text(String cssSelector) {
        Object text = driver.executeScript("const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
                cssSelector);
        return text == null ? "" : text.toString().strip();
    }

    public void signIn(String baseUrl, String username, String password) {
        open(baseUrl + "/login");
        driver.findElement(By.name("username")).sendKeys(username);
        driver.findElement(By.name("password")).sendKeys(password);
        driver.findElement(By.cssSelector("button[type=submit]")).click();
        waitFor(By.cssSelector("[data-testid=signed-in-as]"));
    }

    /** Keeps a screenshot as a test artefact under target/screenshots. */
    public Path screenshot(String name) {
        try {
            Path dir = Path.of("target", "screenshots");
            Files.createDirectories(dir);
            Path file = dir.resolve(name + ".png");
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}

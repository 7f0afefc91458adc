package dev.servicelab.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.PlatformTestBase;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** A learner signs in, browses the catalog, opens a lab and starts it, in a real Chromium. */
class CatalogBrowserIT extends PlatformTestBase {

    @RegisterExtension
    static final Browser browser = Browser.perClass();

    @Test
    void aWrongPasswordShowsWhatToCheck() {
        browser.driver().manage().deleteAllCookies();
        browser.open(baseUrl() + "/login");
        browser.driver().findElement(By.name("username")).sendKeys("nobody-here");
        browser.driver().findElement(By.name("password")).sendKeys("wrong-password");
        browser.driver().findElement(By.cssSelector("button[type=submit]")).click();
        assertThat(browser.waitFor(By.cssSelector(".alert.error")).getText()).contains("do not match");
    }

    @Test
    void aLearnerSignsInOpensALabAndStartsIt() {
        browser.driver().manage().deleteAllCookies();
        browser.signIn(baseUrl(), newLearner(), LEARNER_PASSWORD);

        List<WebElement> cards = browser.waitFor(By.cssSelector("[data-testid=catalog]")).findElements(By.cssSelector(".card"));
        assertThat(cards).hasSizeGreaterThanOrEqualTo(10);
        browser.screenshot("catalog");

        browser.driver().findElement(By.cssSelector("[data-lab=clusterip] h2 a")).click();
        WebElement steps = browser.waitFor(By.cssSelector("[data-testid=steps]"));
        assertThat(steps.findElements(By.cssSelector("details.step"))).hasSizeBetween(4, 8);
        assertThat(browser.driver().findElement(By.cssSelector("[data-testid=progress-summary]")).getText()).contains("0 of");

        browser.driver().findElement(By.cssSelector("[data-testid=start-lab]")).click();
        // The steps re-render as the start's progress arrives: read the open step afresh on each poll.
        browser.await(Duration.ofSeconds(20)).until(d -> "in progress".equals(browser.text("details.step[open] .badge")));
        assertThat(browser.text("details.step[open] [data-markdown]")).isNotBlank();
        browser.screenshot("lab-started");
    }

    @Test
    void shellSnippetsInInstructionsGetCopyAndRunButtons() {
        browser.driver().manage().deleteAllCookies();
        browser.signIn(baseUrl(), newLearner(), LEARNER_PASSWORD);
        browser.open(baseUrl() + "/labs/clusterip");
        browser.waitFor(By.cssSelector("[data-testid=steps]"));
        var runButtons = browser.driver().findElements(By.xpath("//div[@class='codebar']/button[text()='Run']"));
        assertThat(runButtons).isNotEmpty();
    }
}

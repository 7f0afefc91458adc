package dev.servicelab.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.SandboxPlatformTestBase;
import dev.servicelab.browser.Browser;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;

/** The terminal in a real Chromium, on a real sandbox: kubectl works, resize follows, a reload keeps the shell. */
class TerminalBrowserIT extends SandboxPlatformTestBase {

    @RegisterExtension
    static final Browser browser = Browser.perClass();

    private String screen() {
        return browser.driver().findElement(By.cssSelector(".terminal-host:not([hidden]) .xterm-rows")).getText();
    }

    private void type(String text) {
        WebElement input = browser.driver().findElement(By.cssSelector(".terminal-host:not([hidden]) textarea.xterm-helper-textarea"));
        input.sendKeys(text);
    }

    private void awaitScreen(String text, Duration timeout) {
        browser.await(timeout).until(d -> screen().contains(text));
    }

    private void awaitShell() {
        browser.await(Duration.ofMinutes(4)).until(d ->
                "true".equals(d.findElement(By.cssSelector(".terminal-host")).getDomAttribute("data-connected")));
    }

    @Test
    void aLearnerUsesKubectlResizesAndReloadsIntoTheSameShell() {
        browser.driver().manage().window().setSize(new Dimension(1400, 1000));
        browser.signIn(baseUrl(), newLearner(), LEARNER_PASSWORD);
        browser.open(baseUrl() + "/labs/clusterip");
        browser.waitFor(By.cssSelector("[data-testid=start-lab]")).click();
        awaitShell();

        type("kubectl get nodes\n");
        awaitScreen("Ready", Duration.ofSeconds(30));
        assertThat(screen()).contains("-server");
        browser.screenshot("terminal-kubectl");

        type("clear; stty size\n");
        browser.await(Duration.ofSeconds(15)).until(d -> !lastSize().isEmpty());
        String before = lastSize();
        browser.driver().manage().window().setSize(new Dimension(1000, 700));
        browser.await(Duration.ofSeconds(5)).until(d -> true);
        type("clear; stty size\n");
        browser.await(Duration.ofSeconds(15)).until(d -> !lastSize().equals(before) && !lastSize().isEmpty());
        assertThat(lastSize()).isNotEqualTo(before);

        type("export SERVICELAB_MARK=kept-$((6*7)); echo exported-$SERVICELAB_MARK\n");
        awaitScreen("exported-kept-42", Duration.ofSeconds(20));
        browser.driver().navigate().refresh();
        awaitShell();
        type("echo mark:$SERVICELAB_MARK\n");
        try {
            awaitScreen("mark:kept-42", Duration.ofSeconds(30));
        } finally {
            browser.screenshot("terminal-after-reload");
            System.out.println("screen after reload:\n" + screen());
        }
    }

    private String lastSize() {
        String[] lines = screen().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (lines[i].strip().matches("\\d+ \\d+")) {
                return lines[i].strip();
            }
        }
        return "";
    }
}

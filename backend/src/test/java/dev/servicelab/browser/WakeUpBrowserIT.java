package dev.servicelab.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.SandboxPlatformTestBase;
import dev.servicelab.provisioner.SandboxManager;
import dev.servicelab.provisioner.SandboxState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * In a real Chromium, on a real sandbox: a learner's cluster is saved and removed while they are away
 * (hibernated); opening the lab page again shows it waking up with its progress, and afterwards the
 * terminal works in the restored cluster, which still holds what the learner made.
 */
class WakeUpBrowserIT extends SandboxPlatformTestBase {

    private static final String LAB = "clusterip";

    @RegisterExtension
    static final Browser browser = Browser.perClass();

    @Autowired
    SandboxManager manager;



    private String screen() {
        return browser.driver().findElement(By.cssSelector(".terminal-host:not([hidden]) .xterm-rows")).getText();
    }

    private void type(String text) {
        WebElement input = browser.driver().findElement(By.cssSelector(".terminal-host:not([hidden]) textarea.xterm-helper-textarea"));
        input.sendKeys(text);
    }

    private void awaitScreen(String text, Duration timeout) {
        try {
            browser.await(timeout).until(d -> screen().contains(text));
        } catch (RuntimeException e) {
            System.out.println("screen without \"" + text + "\":\n" + screen());
            throw e;
        }
    }

    private void awaitShell() {
        browser.await(Duration.ofMinutes(4)).until(d ->
                "true".equals(d.findElement(By.cssSelector(".terminal-host")).getDomAttribute("data-connected")));
    }

    @Test
    void aHibernatedClusterWakesWhenTheLabIsOpenedAndTheTerminalWorksAfterwards() {
        String learner = newLearner();
        browser.signIn(baseUrl(), learner, LEARNER_PASSWORD);
        browser.open(baseUrl() + "/labs/" + LAB);
        browser.waitFor(By.cssSelector("[data-testid=start-lab]")).click();
        awaitShell();
        type("kubectl -n default create configmap wake-mark --from-literal=left=here\n");
        awaitScreen("configmap/wake-mark created", Duration.ofSeconds(60));

        // The learner leaves; their cluster is saved and removed, as after hibernate-after without activity.
        browser.open(baseUrl() + "/");
        String asleep = manager.current(learner, LAB).orElseThrow().sandboxId();
        manager.hibernate(asleep);
        assertThat(manager.record(asleep).orElseThrow().state()).isEqualTo(SandboxState.HIBERNATED);

        browser.open(baseUrl() + "/labs/" + LAB);
        List<String> seen = new ArrayList<>();
        browser.await(Duration.ofMinutes(4)).pollingEvery(Duration.ofMillis(200)).until(d -> {
            String phase = browser.text("[data-testid=sandbox-phase]");
            if (!phase.isEmpty() && (seen.isEmpty() || !seen.get(seen.size() - 1).equals(phase))) {
                seen.add(phase);
                if (phase.startsWith("Waking your cluster")) {
                    browser.screenshot("wake-up-progress");
                }
            }
            return "Ready".equals(phase);
        });
        System.out.println("lab page while waking: " + seen);
        assertThat(seen).as("the page shows the wake-up with its progress, then Ready")
                .anySatisfy(p -> assertThat(p).startsWith("Waking your cluster").matches(".*\\(\\d+%\\)"))
                .last().isEqualTo("Ready");
        assertThat(manager.current(learner, LAB).orElseThrow().sandboxId()).isNotEqualTo(asleep);

        awaitShell();
        type("echo got-$(kubectl -n default get configmap wake-mark -o jsonpath='{.data.left}')\n");
        awaitScreen("got-here", Duration.ofSeconds(60));
        browser.screenshot("wake-up-terminal");
    }
}

package dev.servicelab.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.SandboxPlatformTestBase;
import dev.servicelab.security.Account;
import dev.servicelab.security.AccountRepository;
import dev.servicelab.browser.Browser;
import dev.servicelab.provisioner.Kubeconfigs;
import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.sandbox.SandboxService;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.springframework.beans.factory.annotation.Autowired;

/** The traffic view in a real Chromium on a real sandbox: the bars grow while requests run, per pod. */
class TrafficBrowserIT extends SandboxPlatformTestBase {

    private static final String LAB = "clusterip";

    @RegisterExtension
    static final Browser browser = Browser.perClass();

    @Autowired
    SandboxService sandboxes;
    @Autowired
    AccountRepository accountRepository;

    /** Sum of the per-pod bars the page shows now (read in one script: the bars are redrawn while we look). */
    private static long shownTotal() {
        Object sum = browser.driver().executeScript("return [...document.querySelectorAll('[data-testid=traffic-bars] .bar-row')]"
                + ".reduce((n, r) => n + Number(r.dataset.count), 0);");
        return ((Number) sum).longValue();
    }

    @Test
    void theViewUpdatesWhileTrafficRunsAndShowsEveryPod() throws Exception {
        browser.driver().manage().window().setSize(new Dimension(1500, 1900));
        String learner = newLearner();
        Account account = accountRepository.findByUsername(learner).orElseThrow();
        browser.signIn(baseUrl(), learner, LEARNER_PASSWORD);
        browser.open(baseUrl() + "/labs/" + LAB);
        browser.waitFor(By.cssSelector("[data-testid=start-lab]")).click();
        browser.await(Duration.ofMinutes(4)).until(d ->
                "live".equals(d.findElement(By.cssSelector("[data-testid=traffic-status]")).getText()));
        Sandbox sandbox = sandboxes.ready(account, LAB).sandbox();
        try (KubernetesClient client = Kubeconfigs.client(sandbox.kubeconfig())) {
            EchoWorkload.deploy(client, "shop", 3);
            List<String> pods = client.pods().inNamespace("shop").withLabel("app", "web").list().getItems().stream()
                    .map(p -> "shop/" + p.getMetadata().getName()).sorted().toList();

            // The Service appears with its three pods, from the watches alone.
            browser.await(Duration.ofSeconds(10)).until(d -> d.findElements(
                    By.cssSelector("[data-testid=traffic-svg] .pod.ready")).size() == 3);
            new Select(browser.driver().findElement(By.cssSelector("[data-testid=traffic-service]"))).selectByValue("shop/web");
            browser.screenshot("traffic-topology");

            // A long run from the client pod. The page itself records the bar total on every animation
            // frame (a test's round trips are too slow to see a two-second burst unfold).
            browser.driver().executeScript("""
                    window.__samples = []; window.__frames = 0;
                    const sum = () => [...document.querySelectorAll('[data-testid=traffic-bars] .bar-row')]
                        .reduce((n, r) => n + Number(r.dataset.count), 0);
                    const tick = () => { const n = sum(); window.__frames++;
                      if (window.__samples.at(-1) !== n) window.__samples.push(n);
                      if (n < 4000) requestAnimationFrame(tick); };
                    requestAnimationFrame(tick);""");
            WebElement count = browser.driver().findElement(By.cssSelector("[data-testid=traffic-count]"));
            count.clear();
            count.sendKeys("4000");
            browser.driver().findElement(By.cssSelector("[data-testid=traffic-send]")).click();
            browser.await(Duration.ofSeconds(20)).until(d -> shownTotal() > 0);
            browser.screenshot("traffic-during-burst");
            browser.await(Duration.ofMinutes(1)).until(d -> d.findElement(
                    By.cssSelector("[data-testid=traffic-summary]")).getText().startsWith("4000 requests"));
            browser.await(Duration.ofSeconds(10)).until(d -> shownTotal() == 4000);
            browser.screenshot("traffic-after-burst");

            @SuppressWarnings("unchecked")
            List<Long> samples = ((List<Object>) browser.driver().executeScript("return window.__samples;")).stream()
                    .map(o -> ((Number) o).longValue()).toList();
            System.out.println("Traffic view: bar totals seen frame by frame while 4000 requests ran: " + samples);
            assertThat(samples.stream().filter(n -> n > 0 && n < 4000).count())
                    .as("bar totals seen while the requests ran: %s", samples).isGreaterThanOrEqualTo(2);
            assertThat(samples).isSorted();
            @SuppressWarnings("unchecked")
            List<String> barPods = ((List<Object>) browser.driver().executeScript("return [...document.querySelectorAll("
                    + "'[data-testid=traffic-bars] .bar-row')].map(r => r.dataset.pod);")).stream().map(String::valueOf).sorted().toList();
            assertThat(barPods).isEqualTo(pods);
            assertThat(browser.driver().findElement(By.cssSelector("[data-testid=traffic-summary]")).getText())
                    .contains("4000× 200");
            assertThat(browser.driver().findElement(By.cssSelector("[data-testid=traffic-stats]")).getText())
                    .contains("server observed").doesNotContain("lost");
        } finally {
            sandboxes.release(account, LAB);
        }
    }
}

package dev.servicelab.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.SandboxPlatformTestBase;
import dev.servicelab.security.AccountRepository;
import dev.servicelab.lab.Lab;
import dev.servicelab.catalog.LabCatalogService;
import dev.servicelab.learning.LabSetup;
import dev.servicelab.lab.LabStep;
import dev.servicelab.provisioner.Kubeconfigs;
import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.sandbox.SandboxService;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * On a real sandbox: the lab page shows each check's verdict and message, a pass is stored, its
 * kube-proxy rules panel shows the node's real rules, and its sandbox panel starts the cluster over.
 */
class LabChecksBrowserIT extends SandboxPlatformTestBase {

    private static final String LAB = "why-services";

    @RegisterExtension
    static final Browser browser = Browser.perClass();

    @Autowired
    SandboxService sandboxes;
    @Autowired
    LabCatalogService catalog;
    @Autowired
    LabSetup setup;
    @Autowired
    AccountRepository accountRepository;

    @Test
    void aLearnerChecksAStepSeesWhatIsWrongFixesItAndPasses() {
        String learner = newLearner();
        browser.signIn(baseUrl(), learner, LEARNER_PASSWORD);
        browser.open(baseUrl() + "/labs/" + LAB);
        browser.waitFor(By.cssSelector("[data-testid=start-lab]")).click();

        browser.await(Duration.ofMinutes(4)).until(d ->
                "Ready".equals(browser.text("[data-testid=sandbox-phase]")));
        browser.screenshot("lab-sandbox-ready");

        Lab lab = catalog.lab(LAB);
        LabStep first = lab.steps().get(0);
        WebElement step = browser.driver().findElement(By.cssSelector("details.step[data-step='" + first.id() + "']"));
        step.findElement(By.cssSelector("[data-testid=check-step]")).click();
        WebElement results = browser.await(Duration.ofMinutes(2)).until(d -> {
            // Results stream in; the step's data-result is set with the final report.
            WebElement list = step.findElement(By.cssSelector("[data-testid=check-results]"));
            return step.getDomAttribute("data-result") == null ? null : list;
        });
        assertThat(results.findElements(By.cssSelector("li.fail"))).isNotEmpty();
        assertThat(results.findElement(By.cssSelector("li.fail .msg")).getText()).isNotBlank().doesNotContainIgnoringCase("failed.");
        browser.screenshot("lab-check-failed");

        var account = accountRepository.findByUsername(learner).orElseThrow();
        Sandbox sandbox = sandboxes.ready(account, LAB).sandbox();
        try (KubernetesClient client = Kubeconfigs.client(sandbox.kubeconfig())) {
            setup.applySolution(sandbox, client, lab, first.solution().manifests(), first.solution().commands(),
                    first.solution().actions());
        }

        step.findElement(By.cssSelector("[data-testid=check-step]")).click();
        browser.await(Duration.ofMinutes(3)).until(d ->
                step.findElement(By.cssSelector("[data-testid=check-results]")).getText().contains("Step passed"));
        browser.screenshot("lab-check-passed");

        var progress = api(learner, LEARNER_PASSWORD).get("/api/v1/labs/" + LAB + "/progress").json();
        assertThat(progress.get("steps").get(0).get("status").asString()).isEqualTo("PASSED");
        var attempts = api(learner, LEARNER_PASSWORD).get("/api/v1/labs/" + LAB + "/attempts").json();
        assertThat(attempts.size()).isGreaterThanOrEqualTo(2);
        assertThat(attempts.get(0).get("passed").asBoolean()).isTrue();
        assertThat(attempts.get(attempts.size() - 1).get("passed").asBoolean()).isFalse();

        // The lab page (opened afresh: a pass reloads it) shows the node's kube-proxy rules, read by the
        // platform, filtered on a Service.
        browser.open(baseUrl() + "/labs/" + LAB);
        browser.await(Duration.ofSeconds(30)).until(d -> "Ready".equals(browser.text("[data-testid=sandbox-phase]")));
        // The workspace is sticky: its last panels come into view at the end of the page.
        browser.driver().executeScript("window.scrollTo(0, document.body.scrollHeight)");
        browser.waitFor(By.cssSelector("[data-testid=kube-proxy-rules] summary")).click();
        browser.await(Duration.ofSeconds(30)).until(d ->
                browser.text("[data-testid=kube-proxy-rules-status]").contains("rules on node"));
        browser.driver().findElement(By.cssSelector("[data-testid=kube-proxy-rules] input[name=filter]"))
                .sendKeys("default/kubernetes:https");
        String rules = browser.text("[data-testid=kube-proxy-rules-text]");
        assertThat(rules).contains("-A KUBE-SERVICES", "\"default/kubernetes:https cluster IP\"", "KUBE-SVC-NPX46M4PTMTKRN6Y")
                .doesNotContain("DOCKER_OUTPUT");
        browser.screenshot("lab-kube-proxy-rules");

        // Starting over at step 2 from the sandbox panel: a fresh cluster, the progress kept.
        String before = api(learner, LEARNER_PASSWORD).get("/api/v1/labs/" + LAB + "/sandbox").json().get("sandboxId").asString();
        browser.driver().findElement(By.cssSelector("[data-testid=start-over]")).click();
        WebElement dialog = browser.waitFor(By.cssSelector("[data-testid=start-over-dialog]"));
        new org.openqa.selenium.support.ui.Select(dialog.findElement(By.name("step"))).selectByIndex(2);
        browser.screenshot("lab-start-over");
        dialog.findElement(By.cssSelector("[data-testid=start-over-confirm]")).click();
        browser.await(Duration.ofMinutes(4)).until(d -> {
            var view = api(learner, LEARNER_PASSWORD).get("/api/v1/labs/" + LAB + "/sandbox").json();
            return !before.equals(view.get("sandboxId").asString()) && "READY".equals(view.get("state").asString())
                    && "Ready".equals(browser.text("[data-testid=sandbox-phase]"));
        });
        assertThat(api(learner, LEARNER_PASSWORD).get("/api/v1/labs/" + LAB + "/progress").json()
                .get("steps").get(0).get("status").asString()).isEqualTo("PASSED");
    }
}

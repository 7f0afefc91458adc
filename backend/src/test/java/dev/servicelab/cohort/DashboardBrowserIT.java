package dev.servicelab.cohort;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.browser.Browser;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** The instructor's dashboard in a real Chromium: it follows learners' progress live, and learners join by link. */
class DashboardBrowserIT extends CohortTestSupport {

    @RegisterExtension
    static final Browser browser = Browser.perClass();

    @Autowired
    JdbcClient jdbc;

    @Test
    void theGridShowsALearnersPassedStepWithoutAReload() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        String learner = newLearner();
        join(learner, cohort);
        progress.start(account(learner), "clusterip");
        List<String> steps = steps("clusterip");

        browser.driver().manage().deleteAllCookies();
        browser.signIn(baseUrl(), teacher, INSTRUCTOR_PASSWORD);
        browser.open(baseUrl() + "/instructor/cohorts/" + id(cohort));
        browser.waitFor(By.cssSelector("[data-dashboard][data-live=connected]"));
        assertThat(cell(learner, steps.get(0)).getAttribute("data-status")).isEqualTo("IN_PROGRESS");
        browser.driver().executeScript("window.sameDocument = true;");

        progress.recordPassed(account(learner), "clusterip", steps.get(0));

        browser.await(Duration.ofSeconds(10))
                .until(d -> "PASSED".equals(cell(learner, steps.get(0)).getAttribute("data-status")));
        assertThat(cell(learner, steps.get(0)).getText()).isEqualTo("✓");
        assertThat(cell(learner, steps.get(1)).getAttribute("data-status")).isEqualTo("IN_PROGRESS");
        assertThat(browser.driver().executeScript("return window.sameDocument === true;")).as("no reload").isEqualTo(true);
        browser.screenshot("dashboard-live");
    }

    @Test
    void aLearnersSandboxStateShowsWithoutAReload() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        String learner = newLearner();
        join(learner, cohort);
        String sandbox = "sb-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        jdbc.sql("""
                insert into sandbox (id, owner, lab_id, state, phase, created_at, last_active_at)
                values (?, ?, 'clusterip', 'STARTING', 'STARTING_CONTAINER', now(), now())""").params(sandbox, learner).update();

        browser.driver().manage().deleteAllCookies();
        browser.signIn(baseUrl(), teacher, INSTRUCTOR_PASSWORD);
        browser.open(baseUrl() + "/instructor/cohorts/" + id(cohort));
        browser.waitFor(By.cssSelector("[data-dashboard][data-live=connected]"));
        browser.driver().executeScript("window.sameDocument = true;");
        By state = By.cssSelector("[data-learner-panel='" + learner + "'] tr[data-sandbox='" + sandbox + "'] .sandbox-state-cell");
        By row = By.cssSelector("td[data-sandbox-status='" + learner + "'] .words");
        assertThat(browser.driver().findElement(state).getAttribute("data-state")).isEqualTo("STARTING");
        assertThat(browser.driver().findElement(state).getAttribute("textContent")).isEqualTo("starting: starting the node");

        // Whichever replica's sandbox service writes the row, the database announces the change.
        jdbc.sql("update sandbox set state = 'READY', phase = 'READY' where id = ?").param(sandbox).update();
        browser.await(Duration.ofSeconds(10))
                .until(d -> "READY".equals(d.findElement(state).getAttribute("data-state")));
        assertThat(browser.driver().findElement(state).getAttribute("textContent")).isEqualTo("ready");
        assertThat(browser.driver().findElement(row).getAttribute("textContent")).as("the grid row too").isEqualTo("ready");
        jdbc.sql("update sandbox set state = 'EXPIRED' where id = ?").param(sandbox).update();
        browser.await(Duration.ofSeconds(10))
                .until(d -> "EXPIRED".equals(d.findElement(state).getAttribute("data-state")));
        assertThat(browser.driver().findElement(state).getAttribute("textContent")).isEqualTo("expired");
        assertThat(browser.driver().findElements(By.cssSelector("tr[data-sandbox='" + sandbox + "'] [data-sandbox-action]")))
                .as("nothing to extend or end any more").isEmpty();
        assertThat(browser.driver().executeScript("return window.sameDocument === true;")).as("no reload").isEqualTo(true);
    }

    @Test
    void theDashboardShowsEachLearnersStepsAttemptsAndTheTerminalLink() {
        String teacher = newInstructor();
        JsonNode cohort = createCohort(teacher, "clusterip");
        String learner = newLearner();
        join(learner, cohort);
        pass(learner, "clusterip", steps("clusterip").get(0));

        browser.driver().manage().deleteAllCookies();
        browser.signIn(baseUrl(), teacher, INSTRUCTOR_PASSWORD);
        browser.open(baseUrl() + "/instructor/cohorts/" + id(cohort));
        WebElement panel = browser.waitFor(By.cssSelector("[data-learner-panel='" + learner + "'] summary"));
        panel.click();
        WebElement details = browser.driver().findElement(By.cssSelector("[data-learner-panel='" + learner + "']"));
        assertThat(details.getText()).contains("passed").contains("No checks yet").contains("No sandbox yet");
        assertThat(details.findElement(By.cssSelector("[data-testid=watch-terminal]")).getAttribute("href"))
                .endsWith("/instructor/cohorts/" + id(cohort) + "/learners/" + learner + "/terminal");
        assertThat(browser.driver().findElement(By.cssSelector("[data-testid=join-code]")).getText())
                .isEqualTo(cohort.get("joinCode").asString());
    }

    @Test
    void anInstructorCreatesACohortFromTheCohortsPage() {
        browser.driver().manage().deleteAllCookies();
        browser.signIn(baseUrl(), newInstructor(), INSTRUCTOR_PASSWORD);
        browser.open(baseUrl() + "/instructor/cohorts");
        WebElement form = browser.waitFor(By.cssSelector("[data-testid=new-cohort]"));
        form.findElement(By.name("name")).sendKeys("Evening class");
        form.findElement(By.id("lab-clusterip")).click();
        form.findElement(By.cssSelector("button[type=submit]")).click();
        browser.waitFor(By.cssSelector("[data-dashboard][data-live=connected]"));
        assertThat(browser.driver().findElement(By.tagName("h1")).getText()).isEqualTo("Evening class");
    }

    @Test
    void aLearnerJoinsByLinkAndSeesTheCohortsLabsUnderMyCourses() {
        JsonNode cohort = createCohort(newInstructor(), "clusterip", "nodeport");
        browser.driver().manage().deleteAllCookies();
        browser.signIn(baseUrl(), newLearner(), LEARNER_PASSWORD);
        browser.open(baseUrl() + "/join/" + cohort.get("joinCode").asString());
        browser.waitFor(By.cssSelector("[data-testid=join]")).click();
        WebElement course = browser.waitFor(By.cssSelector("[data-testid=course]"));
        assertThat(course.findElements(By.cssSelector(".card"))).hasSize(2);
        assertThat(course.findElement(By.cssSelector("[data-lab=nodeport]")).getText()).contains("0 of");
    }

    @Test
    void aLearnerCannotOpenTheDashboard() {
        JsonNode cohort = createCohort(newInstructor(), "clusterip");
        browser.driver().manage().deleteAllCookies();
        browser.signIn(baseUrl(), newLearner(), LEARNER_PASSWORD);
        browser.open(baseUrl() + "/instructor/cohorts/" + id(cohort));
        assertThat(browser.driver().findElements(By.cssSelector("[data-dashboard]"))).isEmpty();
    }

    private WebElement cell(String learner, String step) {
        return browser.driver().findElement(By.cssSelector(
                "tr[data-learner='" + learner + "'] td[data-lab=clusterip][data-step='" + step + "']"));
    }
}

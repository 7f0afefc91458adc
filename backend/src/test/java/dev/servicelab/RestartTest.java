package dev.servicelab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.security.AccountRepository;
import dev.servicelab.account.AccountService;
import dev.servicelab.security.Role;
import dev.servicelab.progress.LabProgress;
import dev.servicelab.progress.ProgressService;
import dev.servicelab.progress.StepStatus;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Stopping and starting the server loses neither accounts nor progress. */
class RestartTest {

    @TempDir
    Path home;

    private ConfigurableApplicationContext startServer() {
        return new SpringApplicationBuilder(ServiceLabApplication.class).run(
                "--server.port=0",
                // Accounts and progress live in PostgreSQL: no sandboxes, so no Docker engine needed.
                "--servicelab.sandbox.enabled=false",
                "--servicelab.sandbox.platform-id=" + PlatformTestBase.PLATFORM_ID + "-restart",
                "--servicelab.database.embedded.directory=" + home.resolve("postgres"),
                "--servicelab.labs.directory=" + System.getProperty("servicelab.labs.directory"));
    }

    @Test
    void accountsAndProgressSurviveARestart() {
        String lab = "clusterip";
        String step;
        try (var server = startServer()) {
            var account = server.getBean(AccountService.class).create("persistent", "Persistent Pat", "pat-password", Role.LEARNER);
            ProgressService progress = server.getBean(ProgressService.class);
            step = progress.start(account, lab).steps().get(0).stepId();
            progress.recordPassed(account, lab, step);
        }
        try (var server = startServer()) {
            var account = server.getBean(AccountRepository.class).findByUsername("persistent").orElseThrow();
            assertThat(account.displayName()).isEqualTo("Persistent Pat");
            LabProgress progress = server.getBean(ProgressService.class).progress(account, lab);
            assertThat(progress.startedAt()).isNotNull();
            assertThat(progress.steps().get(0).status()).isEqualTo(StepStatus.PASSED);
            assertThat(progress.steps().get(1).status()).isEqualTo(StepStatus.IN_PROGRESS);
        }
    }
}

package dev.servicelab.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The one-machine installation for real: deploy/test-compose.sh builds the platform and PostgreSQL
 * images from this build's jar, brings docker-compose.yml up, enrols a learner and starts a
 * sandbox over HTTP, then takes the stack down and up and checks that nothing was lost. Skipped
 * only when no Docker engine answers.
 */
class ComposeStackIT {

    @Test
    void theComposeStackServesLearnersAndKeepsTheirDataAcrossDownAndUp() throws Exception {
        String output = DeployScript.run("deploy/test-compose.sh", "compose-test/test-compose.out", 40);
        assertThat(output).contains("ok   the sandbox becomes READY").contains("ok   the learner's progress survives down/up")
                .containsPattern("compose: \\d+ passed, 0 failed");
    }
}

package dev.servicelab.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servicelab.problem.TooManyRequestsException;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

class InFlightTest {

    private final InFlight checks = new InFlight(1);

    @Test
    void aSecondRunForTheSameKeyIsRefusedWithATooManyRequestsProblem() {
        try (InFlight.Permit first = checks.acquire("ada/clusterip", () -> "A check is still running.")) {
            assertThatThrownBy(() -> checks.acquire("ada/clusterip", () -> "A check is still running."))
                    .isInstanceOfSatisfying(TooManyRequestsException.class, e -> {
                        assertThat(e.getStatusCode()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
                        assertThat(e.getBody().getType().toString()).isEqualTo("/problems/too-many-requests");
                        assertThat(e.getMessage()).isEqualTo("A check is still running.");
                    });
        }
    }

    @Test
    void otherKeysAreNotAffectedAndAClosedPermitLetsTheNextOneIn() {
        InFlight.Permit first = checks.acquire("ada/clusterip", () -> "busy");
        checks.acquire("ada/nodeport", () -> "busy").close();
        checks.acquire("bob/clusterip", () -> "busy").close();
        first.close();
        first.close(); // closing twice frees one place only once
        checks.acquire("ada/clusterip", () -> "busy").close();
    }
}

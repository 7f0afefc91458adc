package dev.servicelab.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** podLog finds a line in any matching pod's log and names the pod; without one it says what it looked for. */
class PodLogCheckTest {

    private static final String TRACE = "GET 172.18.0.2:30080 /trace from ";

    @Test
    void aLineInAnyPodsLogPassesAndNamesThePod() {
        Map<String, String> logs = new LinkedHashMap<>();
        logs.put("storefront-a", "2026/11/30 06:00:00 echo listening on :8080\n");
        logs.put("storefront-b", "2026/11/30 06:00:01 GET 172.18.0.2:30080 /trace from 10.42.0.1:51234\n");
        Outcome outcome = PodLogCheck.verdict("app=storefront", "default", TRACE, logs);
        assertThat(outcome.passed()).isTrue();
        assertThat(outcome.message()).startsWith("Pod storefront-b logged:").contains("from 10.42.0.1:51234");
    }

    @Test
    void aRequestSentAnotherWayIsNotMistakenForIt() {
        Outcome outcome = PodLogCheck.verdict("app=storefront", "default", TRACE,
                Map.of("storefront-a", "2026/11/30 06:00:01 GET storefront.default /trace from 10.42.0.9:40000\n"));
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.message()).isEqualTo("The 1 pod(s) labelled app=storefront logged no request containing \""
                + TRACE + "\" (read with kubectl logs -n default -l app=storefront).");
    }

    @Test
    void noPodAtAllIsSaid() {
        assertThat(PodLogCheck.verdict("app=storefront", "default", TRACE, Map.of()).message())
                .isEqualTo("No pod labelled app=storefront exists in default.");
    }
}

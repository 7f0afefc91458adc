package dev.servicelab.provisioner;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KubeconfigsTest {

    @Test
    void theServerUrlIsRewrittenAndNothingElseChanges() {
        String kubeconfig = """
                apiVersion: v1
                clusters:
                - cluster:
                    certificate-authority-data: QUJD
                    server: https://127.0.0.1:6443
                  name: default
                """;
        String rewritten = Kubeconfigs.withServer(kubeconfig, "https://localhost:32771");
        assertThat(rewritten).contains("    server: https://localhost:32771\n").contains("certificate-authority-data: QUJD")
                .doesNotContain("127.0.0.1");
    }
}

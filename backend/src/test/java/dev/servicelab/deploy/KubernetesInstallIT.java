package dev.servicelab.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The Kubernetes installation for real: deploy/test-k8s.sh applies k8s/ to a cluster (a kit node),
 * runs two platform replicas, provisions a learner's sandbox as pods through the Kubernetes
 * provisioner and drives the learner's terminal through both replicas; a learner's sandbox
 * hibernates and is restored from its snapshot (deploy/k8s-checks/hibernate.sh). Skipped only when
 * no Docker engine answers.
 */
class KubernetesInstallIT {

    @Test
    void twoReplicasOnKubernetesServeOneLearnerAndShareTheirTerminal() throws Exception {
        String output = DeployScript.run("deploy/test-k8s.sh", "k8s-test/test-k8s.out", 40);
        assertThat(output).contains("ok   the same shell answers through replica 2")
                .contains("ok   hibernation: step 1's check still passes")
                .containsPattern("k8s: \\d+ passed, 0 failed");
    }
}

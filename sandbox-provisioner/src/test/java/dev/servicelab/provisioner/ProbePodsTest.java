package dev.servicelab.provisioner;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

/** The seal on probe pods: only the holder of the sandbox's admin credential can make it, for one pod as it was made. */
class ProbePodsTest {

    private static String kubeconfig(String server, String token) {
        return """
                apiVersion: v1
                clusters:
                - cluster:
                    server: %s
                    insecure-skip-tls-verify: true
                  name: default
                contexts:
                - context: {cluster: default, user: default}
                  name: default
                current-context: default
                users:
                - name: default
                  user:
                    token: %s
                """.formatted(server, token);
    }

    private static Pod probe(String uid, String image) {
        return new PodBuilder().withNewMetadata().withNamespace("servicelab-system").withName("probe-server").withUid(uid)
                .endMetadata().withNewSpec().withNodeName("node-a").addNewContainer().withName("probe").withImage(image)
                .withCommand("sleep", "infinity").endContainer().endSpec().build();
    }

    @Test
    void theSealDependsOnTheCredentialNotOnTheAddressThePlatformUses() {
        try (KubernetesClient host = Kubeconfigs.client(kubeconfig("https://localhost:32771", "secret-a"));
                KubernetesClient compose = Kubeconfigs.client(kubeconfig("https://host.docker.internal:32771", "secret-a"));
                KubernetesClient other = Kubeconfigs.client(kubeconfig("https://localhost:32771", "secret-b"))) {
            String message = ProbePods.podMessage(probe("uid-1", "servicelab/toolbox:1"));
            assertThat(ProbePods.seal(host, message)).isEqualTo(ProbePods.seal(compose, message))
                    .isNotEqualTo(ProbePods.seal(other, message));
        }
    }

    @Test
    void aReplacedPodOrAChangedImageBreaksTheSealButSchedulingDoesNot() {
        try (KubernetesClient client = Kubeconfigs.client(kubeconfig("https://localhost:32771", "secret-a"))) {
            String sealed = ProbePods.seal(client, ProbePods.podMessage(probe("uid-1", "servicelab/toolbox:1")));
            Pod elsewhere = new PodBuilder(probe("uid-1", "servicelab/toolbox:1")).editSpec().withNodeName("node-b").endSpec().build();
            assertThat(ProbePods.seal(client, ProbePods.podMessage(elsewhere))).isEqualTo(sealed);
            assertThat(ProbePods.seal(client, ProbePods.podMessage(probe("uid-2", "servicelab/toolbox:1")))).isNotEqualTo(sealed);
            assertThat(ProbePods.seal(client, ProbePods.podMessage(probe("uid-1", "evil/curl-says-yes")))).isNotEqualTo(sealed);
        }
    }

    @Test
    void anUnsealedOrUnreadyPodIsNotTrusted() {
        try (KubernetesClient client = Kubeconfigs.client(kubeconfig("https://localhost:32771", "secret-a"))) {
            Pod pod = probe("uid-1", "servicelab/toolbox:1");
            assertThat(ProbePods.trusted(client, null)).isFalse();
            assertThat(ProbePods.trusted(client, pod)).as("not Ready, no seal").isFalse();
            Pod ready = new PodBuilder(pod).withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition()
                    .endStatus().build();
            assertThat(ProbePods.trusted(client, ready)).as("Ready, no seal").isFalse();
            Pod sealed = new PodBuilder(ready).editMetadata().addToAnnotations(ProbePods.SEAL,
                    ProbePods.seal(client, ProbePods.podMessage(ready))).endMetadata().build();
            assertThat(ProbePods.trusted(client, sealed)).isTrue();
            Pod forged = new PodBuilder(sealed).editMetadata().addToAnnotations(ProbePods.SEAL, "0".repeat(64)).endMetadata().build();
            assertThat(ProbePods.trusted(client, forged)).isFalse();
        }
    }
}

package dev.servicelab.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How long the cluster has been still, and how long since something changed what a name resolves
 * to: only those writes keep name-based probes waiting for CoreDNS's caches.
 */
@EnableKubernetesMockClient(crud = true)
class ClusterStillnessTest {

    KubernetesClient client;
    /** The mock stamps creation with the real time: looked at from an hour later, only the writes below count. */
    final Instant now = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);

    @BeforeEach
    void clean() {
        new MockCluster(client).clean();
    }

    @Test
    void aRolloutRewritingAClusterIpServicesEndpointsLeavesItsNameAsItWas() {
        service("ledger", "10.43.0.10", entry(60, "f:selector"));
        slice("ledger", 1);

        ClusterStillness.Quiet quiet = ClusterStillness.observe(client, now);

        assertThat(quiet.still()).isEqualTo(Duration.ofSeconds(1));
        assertThat(quiet.names()).isGreaterThanOrEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void aHeadlessServicesEndpointsAreWhatItsNameAnswers() {
        service("web", "None", entry(60, "f:selector"));
        slice("web", 1);

        assertThat(ClusterStillness.observe(client, now).names()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aPatchOfPortsOrPoliciesLeavesTheNameButSettingTheTypeMayChangeIt() {
        service("pinned", "10.43.0.11", entry(60, "f:selector", "f:ports"), entry(3, "f:internalTrafficPolicy"));
        assertThat(ClusterStillness.observe(client, now).names()).isGreaterThanOrEqualTo(Duration.ofSeconds(60));
        assertThat(ClusterStillness.observe(client, now).still()).isEqualTo(Duration.ofSeconds(3));

        new MockCluster(client).clean();
        service("pinned", "10.43.0.11", entry(60, "f:selector"), entry(2, "f:type"));
        assertThat(ClusterStillness.observe(client, now).names()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aNewServiceCountsForANameMayHaveBeenCachedAsMissing() {
        service("impostor", "10.43.0.12");
        Instant created = Instant.parse(client.services().inNamespace(MockCluster.NAMESPACE).withName("impostor").get()
                .getMetadata().getCreationTimestamp());

        assertThat(ClusterStillness.observe(client, created.plusSeconds(4)).names()).isEqualTo(Duration.ofSeconds(4));
    }

    private void service(String name, String clusterIp, ManagedFieldsEntry... entries) {
        client.services().resource(new ServiceBuilder().withNewMetadata().withName(name).withNamespace(MockCluster.NAMESPACE)
                .withManagedFields(entries).endMetadata().withNewSpec()
                .withType("ClusterIP").withClusterIP(clusterIp).withSelector(Map.of("app", name)).addNewPort().withPort(80)
                .endPort().endSpec().build()).create();
    }

    private void slice(String service, int writtenSecondsAgo) {
        client.discovery().v1().endpointSlices().resource(new EndpointSliceBuilder().withNewMetadata().withName(service + "-x")
                .withNamespace(MockCluster.NAMESPACE).withLabels(Map.of("kubernetes.io/service-name", service))
                .withManagedFields(new ManagedFieldsEntry("discovery.k8s.io/v1", "FieldsV1", new FieldsV1(),
                        "endpointslice-controller", "Update", null, ago(writtenSecondsAgo))).endMetadata().withAddressType("IPv4").build()).create();
    }

    /** A write that set these spec fields, so many seconds ago. */
    private ManagedFieldsEntry entry(int secondsAgo, String... specFields) {
        Map<String, Object> spec = new java.util.HashMap<>();
        for (String field : specFields) {
            spec.put(field, Map.of());
        }
        FieldsV1 fields = new FieldsV1();
        fields.setAdditionalProperty("f:spec", spec);
        return new ManagedFieldsEntry("v1", "FieldsV1", fields, "kubectl", "Update", null, ago(secondsAgo));
    }

    private String ago(int seconds) {
        return now.minusSeconds(seconds).toString();
    }
}

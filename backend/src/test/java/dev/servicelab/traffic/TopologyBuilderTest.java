package dev.servicelab.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.provisioner.SandboxNode;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The traffic view's topology and flow resolver, projected from plain Services, pods and EndpointSlices. */
class TopologyBuilderTest {

    private static final List<SandboxNode> NODES = List.of(
            new SandboxNode(SandboxNode.Role.SERVER, "c1", "server", "172.18.0.2", Map.of()),
            new SandboxNode(SandboxNode.Role.AGENT, "c2", "agent", "172.18.0.3", Map.of()));

    private final TopologyBuilder builder = new TopologyBuilder(List.of("kube-system"));

    private TopologyBuilder.Projection build(List<Service> services, List<Pod> pods, List<EndpointSlice> slices) {
        return builder.build(services, pods, slices, NODES, 7);
    }

    private static Pod pod(String namespace, String name, String ip, Map<String, String> labels) {
        return new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withNodeName("server").endSpec().withNewStatus().withPhase("Running").withPodIP(ip)
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build();
    }

    private static Service service(String namespace, String name, String clusterIp, Map<String, String> selector) {
        return new ServiceBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata().withNewSpec()
                .withType("ClusterIP").withClusterIP(clusterIp).withSelector(selector).addNewPort().withName("http").withProtocol("TCP")
                .withPort(80).withTargetPort(new IntOrString(8080)).endPort().endSpec().build();
    }

    private static EndpointSlice slice(String namespace, String service, String ip, String targetPod, boolean ready) {
        var endpoint = new EndpointSliceBuilder().withNewMetadata().withNamespace(namespace).withName(service + "-" + ip)
                .withLabels(Map.of("kubernetes.io/service-name", service)).endMetadata().withAddressType("IPv4").addNewEndpoint()
                .withAddresses(ip).withNewConditions().withReady(ready).withTerminating(!ready).endConditions();
        if (targetPod != null) {
            endpoint.withNewTargetRef().withKind("Pod").withName(targetPod).endTargetRef();
        }
        return endpoint.endEndpoint().addNewPort().withPort(8080).endPort().build();
    }

    @Test
    void aServiceListsThePodsItsSelectorMatchesInItsOwnNamespace() {
        Topology topology = build(List.of(service("shop", "web", "10.43.0.10", Map.of("app", "web"))),
                List.of(pod("shop", "web-1", "10.42.0.5", Map.of("app", "web", "hash", "x")),
                        pod("other", "web-2", "10.42.0.6", Map.of("app", "web"))), List.of()).topology();
        assertThat(topology.services()).singleElement().satisfies(s -> {
            assertThat(s.key()).isEqualTo("shop/web");
            assertThat(s.pods()).containsExactly("shop/web-1");
        });
        assertThat(topology.pods()).filteredOn(p -> p.key().equals("shop/web-1")).singleElement()
                .satisfies(p -> assertThat(p.services()).containsExactly("shop/web"));
    }

    @Test
    void podsNoServiceSelectsAreUnmatched() {
        Topology topology = build(List.of(service("shop", "web", "10.43.0.10", Map.of("app", "web"))),
                List.of(pod("shop", "web-1", "10.42.0.5", Map.of("app", "web")), pod("shop", "debug", "10.42.0.9", Map.of("run", "debug"))),
                List.of()).topology();
        assertThat(topology.unmatchedPods()).containsExactly("shop/debug");
    }

    @Test
    void aServiceWithoutSelectorSelectsNoPods() {
        Topology topology = build(List.of(service("shop", "external", "10.43.0.11", null)),
                List.of(pod("shop", "web-1", "10.42.0.5", Map.of("app", "web"))), List.of()).topology();
        assertThat(topology.services().get(0).pods()).isEmpty();
        assertThat(topology.services().get(0).selector()).isEmpty();
    }

    @Test
    void endpointsComeFromTheSlicesLabelledWithTheServiceNameSortedByAddress() {
        Topology topology = build(List.of(service("shop", "web", "10.43.0.10", Map.of("app", "web"))), List.of(),
                List.of(slice("shop", "web", "10.42.0.7", "web-2", true), slice("shop", "web", "10.42.0.5", "web-1", false),
                        slice("shop", "api", "10.42.0.8", "api-1", true), slice("other", "web", "10.42.0.9", "web-9", true)))
                .topology();
        assertThat(topology.services().get(0).endpoints()).containsExactly(
                new Topology.EndpointInfo("10.42.0.5", "shop/web-1", false, true, List.of(8080)),
                new Topology.EndpointInfo("10.42.0.7", "shop/web-2", true, false, List.of(8080)));
    }

    @Test
    void anEndpointWithoutTargetRefIsNamedByAPodWithItsAddressOrNobody() {
        Topology topology = build(List.of(service("shop", "web", "10.43.0.10", null)),
                List.of(pod("shop", "web-1", "10.42.0.5", Map.of())),
                List.of(slice("shop", "web", "10.42.0.5", null, true), slice("shop", "web", "192.168.1.10", null, true))).topology();
        assertThat(topology.services().get(0).endpoints()).extracting(Topology.EndpointInfo::pod)
                .containsExactly("shop/web-1", null);
    }

    @Test
    void portsKeepNumericAndNamedTargetPortsAsText() {
        Service named = new ServiceBuilder(service("shop", "web", "10.43.0.10", Map.of("app", "web"))).editSpec().withType("NodePort")
                .addNewPort().withName("metrics").withProtocol("TCP").withPort(9090).withTargetPort(new IntOrString("prom"))
                .withNodePort(30090).endPort().endSpec().build();
        Topology topology = build(List.of(named), List.of(), List.of()).topology();
        assertThat(topology.services().get(0).ports()).containsExactly(new Topology.PortInfo("http", "TCP", 80, "8080", null),
                new Topology.PortInfo("metrics", "TCP", 9090, "prom", 30090));
    }

    @Test
    void aHeadlessServiceIsDrawnButResolvesNoClusterIp() {
        TopologyBuilder.Projection projection = build(List.of(service("shop", "db", "None", Map.of("app", "db"))), List.of(),
                List.of());
        assertThat(projection.topology().services().get(0).headless()).isTrue();
        assertThat(projection.resolver().servicesByClusterIp()).isEmpty();
    }

    @Test
    void theResolverKnowsClusterIpsNodePortsAndLoadBalancerAddresses() {
        Service lb = new ServiceBuilder(service("shop", "web", "10.43.0.10", Map.of("app", "web"))).editSpec().withType("LoadBalancer")
                .editFirstPort().withNodePort(30080).endPort().endSpec().withNewStatus().withNewLoadBalancer().addNewIngress()
                .withIp("172.18.255.1").endIngress().endLoadBalancer().endStatus().build();
        TopologyBuilder.Projection projection = build(List.of(lb), List.of(), List.of());
        assertThat(projection.resolver().servicesByClusterIp()).containsEntry("10.43.0.10:80", "shop/web");
        assertThat(projection.resolver().servicesByNodePort()).containsEntry(30080, "shop/web");
        assertThat(projection.resolver().servicesByIngress()).containsEntry("172.18.255.1:80", "shop/web");
        assertThat(projection.topology().services().get(0).externalIPs()).containsExactly("172.18.255.1");
    }

    @Test
    void servicesOfHiddenNamespacesAndTheApiServerResolveButAreNotDrawn() {
        TopologyBuilder.Projection projection = build(List.of(service("kube-system", "kube-dns", "10.43.0.2", Map.of("k8s-app", "kube-dns")),
                service("default", "kubernetes", "10.43.0.1", null), service("shop", "web", "10.43.0.10", Map.of("app", "web"))),
                List.of(pod("kube-system", "coredns-1", "10.42.0.2", Map.of("k8s-app", "kube-dns"))), List.of());
        assertThat(projection.topology().services()).extracting(Topology.ServiceInfo::key).containsExactly("shop/web");
        assertThat(projection.topology().pods()).isEmpty();
        assertThat(projection.resolver().hiddenServices()).containsExactlyInAnyOrder("kube-system/kube-dns", "default/kubernetes");
        assertThat(projection.resolver().servicesByClusterIp()).containsEntry("10.43.0.2:80", "kube-system/kube-dns");
        assertThat(projection.resolver().podsByIp()).containsEntry("10.42.0.2", "kube-system/coredns-1");
    }

    @Test
    void finishedPodsAreNotDrawn() {
        Pod done = new PodBuilder(pod("shop", "job-1", "10.42.0.20", Map.of())).editStatus().withPhase("Succeeded").endStatus().build();
        Pod failed = new PodBuilder(pod("shop", "job-2", "10.42.0.21", Map.of())).editStatus().withPhase("Failed").endStatus().build();
        assertThat(build(List.of(), List.of(done, failed, pod("shop", "web-1", "10.42.0.5", Map.of())), List.of()).topology().pods())
                .extracting(Topology.PodInfo::key).containsExactly("shop/web-1");
    }

    @Test
    void aDeletedPodsAddressStillResolvesToItsName() {
        build(List.of(), List.of(pod("shop", "web-1", "10.42.0.5", Map.of())), List.of());
        TopologyBuilder.Projection after = build(List.of(), List.of(), List.of());
        assertThat(after.topology().pods()).isEmpty();
        assertThat(after.resolver().podsByIp()).containsEntry("10.42.0.5", "shop/web-1");
    }

    @Test
    void hostNetworkPodsDoNotClaimTheirNodesAddress() {
        Pod host = new PodBuilder(pod("shop", "agent-proxy", "172.18.0.2", Map.of())).editSpec().withHostNetwork(true).endSpec().build();
        assertThat(build(List.of(), List.of(host), List.of()).resolver().podsByIp()).doesNotContainKey("172.18.0.2");
    }

    @Test
    void nodesAreTheSandboxesWithTheirRolesAndAddresses() {
        TopologyBuilder.Projection projection = build(List.of(), List.of(), List.of());
        assertThat(projection.topology().nodes()).containsExactly(new Topology.NodeInfo("server", "server", "172.18.0.2"),
                new Topology.NodeInfo("agent", "agent", "172.18.0.3"));
        assertThat(projection.resolver().nodesByIp()).containsEntry("172.18.0.3", "agent node");
        assertThat(projection.topology().version()).isEqualTo(7);
    }
}

package dev.servicelab.provisioner.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.servicelab.provisioner.SandboxNode;
import dev.servicelab.provisioner.SandboxRequest;
import dev.servicelab.provisioner.SandboxSnapshot;
import dev.servicelab.provisioner.SnapshotArchive;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The node pod the Kubernetes provisioner asks for. That such a pod really becomes a sandbox is
 * shown by deploy/test-k8s.sh (KubernetesInstallIT); this pins what the pod must carry.
 */
class KubernetesSandboxProvisionerTest {

    final KubernetesClient unused = new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder().withMasterUrl("https://127.0.0.1:1").build()).build();
    final KubernetesSandboxProvisioner provisioner = new KubernetesSandboxProvisioner(new KubernetesSandboxSettings(
            "learners", "", "servicelab/kube-node:v1", "servicelab/toolbox:1", List.of(), Duration.ofMinutes(5),
            1536L * 1024 * 1024, 1.5, "512Mi", "250m", "servicelab", "", "10.142.0.0/16", "10.143.0.0/16"), unused);

    @AfterEach
    void close() {
        provisioner.close();
    }

    Pod serverPod() {
        return provisioner.nodePod(new SandboxRequest("sb-abc123", "ada.lovelace@example.org", "clusterip", 1),
                SandboxNode.Role.SERVER, List.of("server"), List.of(new EnvVar("K3S_TOKEN", "t", null)),
                Instant.ofEpochMilli(1_000), null);
    }

    @Test
    void aSandboxsNodePodsTalkOnlyAmongThemselvesAndOverItsNestedPodRange() {
        NetworkPolicy policy = provisioner.isolation(new SandboxRequest("sb-abc123", "ada", "clusterip", 2));

        assertThat(policy.getSpec().getPodSelector().getMatchLabels()).containsEntry("servicelab.dev/sandbox", "sb-abc123");
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
        assertThat(policy.getMetadata().getLabels()).containsEntry("servicelab.dev/platform", "servicelab")
                .containsEntry("servicelab.dev/sandbox", "sb-abc123");
        for (var peers : List.of(policy.getSpec().getIngress().get(0).getFrom(), policy.getSpec().getEgress().get(0).getTo())) {
            assertThat(peers).hasSize(2);
            assertThat(peers.get(0).getPodSelector().getMatchLabels()).containsExactly(Map.entry("servicelab.dev/sandbox", "sb-abc123"));
            assertThat(peers.get(0).getNamespaceSelector()).isNull();
            assertThat(peers.get(1).getIpBlock().getCidr()).isEqualTo("10.142.0.0/16");
        }
    }

    @Test
    void theNodePodIsPrivilegedAndCappedButGetsNoHostClusterToken() {
        Pod pod = serverPod();
        Container node = pod.getSpec().getContainers().get(0);
        assertThat(node.getSecurityContext().getPrivileged()).isTrue();
        assertThat(node.getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(node.getResources().getLimits()).containsEntry("memory", new Quantity(Long.toString(1536L * 1024 * 1024)))
                .containsEntry("cpu", new Quantity("1500m"));
        assertThat(node.getResources().getRequests()).containsEntry("memory", new Quantity("512Mi"))
                .containsEntry("cpu", new Quantity("250m"));
        assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getSpec().getEnableServiceLinks()).isFalse();
        assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
    }

    @Test
    void theNodeKeepsItsStateOnEmptyDirsAndRunInMemory() {
        Pod pod = serverPod();
        Map<String, String> mounts = pod.getSpec().getContainers().get(0).getVolumeMounts().stream()
                .collect(Collectors.toMap(m -> m.getMountPath(), m -> m.getName()));
        assertThat(mounts).containsKeys("/var/lib/kubelet", "/var/lib/rancher/k3s", "/var/lib/cni", "/var/log", "/run");
        Map<String, Volume> volumes = pod.getSpec().getVolumes().stream().collect(Collectors.toMap(Volume::getName, v -> v));
        assertThat(volumes.values()).allSatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());
        assertThat(volumes.get(mounts.get("/run")).getEmptyDir().getMedium()).isEqualTo("Memory");
    }

    @Test
    void labelsFindTheSandboxAndAnnotationsCarryWhatLabelsCannotHold() {
        Pod pod = serverPod();
        assertThat(pod.getMetadata().getName()).isEqualTo("sb-abc123-server");
        assertThat(pod.getMetadata().getLabels()).containsEntry(KubernetesSandboxProvisioner.PLATFORM, "servicelab")
                .containsEntry(KubernetesSandboxProvisioner.SANDBOX, "sb-abc123")
                .containsEntry(KubernetesSandboxProvisioner.ROLE, "server");
        // An e-mail address is no valid label value: owner and lab are annotations.
        assertThat(pod.getMetadata().getAnnotations()).containsEntry(KubernetesSandboxProvisioner.OWNER, "ada.lovelace@example.org")
                .containsEntry(KubernetesSandboxProvisioner.LAB, "clusterip")
                .containsEntry(KubernetesSandboxProvisioner.CREATED, "1000");
    }

    @Test
    void bothNodesOfASandboxUseItsOwnAddressRangesApartFromTheHostClusters() {
        assertThat(provisioner.serverArgs("sb-abc123", Set.of())).contains("--cluster-cidr=10.142.0.0/16", "--service-cidr=10.143.0.0/16");
        assertThat(provisioner.agentEnv("t", "https://10.0.0.1:6443")).extracting(EnvVar::getName, EnvVar::getValue)
                .contains(tuple("SERVICELAB_CLUSTER_CIDR", "10.142.0.0/16"), tuple("SERVICELAB_SERVICE_CIDR", "10.143.0.0/16"));
    }

    @Test
    void anUnsetExtraArgumentsPropertyAddsNoEmptyArgument() {
        var settings = new KubernetesSandboxSettings("learners", "", "node", "toolbox", List.of(""), Duration.ofMinutes(5),
                0, 0, "", "", "servicelab", "", "", "");
        assertThat(settings.extraServerArgs()).isEmpty();
    }

    /** A snapshot of a two-node sandbox whose nodes were named sb-old-server and sb-old-agent. */
    SnapshotArchive savedCluster() {
        SandboxSnapshot snapshot = SnapshotArchive.write("servicelab/kube-node:v1",
                Map.of(SandboxNode.Role.SERVER, "sb-old-server", SandboxNode.Role.AGENT, "sb-old-agent"),
                Map.of("db/state.db", "sqlite".getBytes(StandardCharsets.UTF_8)), Instant.ofEpochMilli(1_000));
        return SnapshotArchive.read(snapshot.archive());
    }

    @Test
    void aRestoredSandboxsNodesKeepTheSavedNodeNamesToWhichItsPodsAreBound() {
        SandboxRequest request = new SandboxRequest("sb-new", "ada", "clusterip", 2);
        Pod server = provisioner.nodePod(request, SandboxNode.Role.SERVER, List.of("server"), List.of(), Instant.EPOCH,
                savedCluster());
        Pod agent = provisioner.nodePod(request, SandboxNode.Role.AGENT, List.of("agent"), List.of(), Instant.EPOCH,
                savedCluster());

        assertThat(server.getMetadata().getName()).isEqualTo("sb-new-server");
        assertThat(server.getSpec().getHostname()).isEqualTo("sb-old-server");
        assertThat(agent.getSpec().getHostname()).isEqualTo("sb-old-agent");
    }

    @Test
    void aRestoredServerWaitsInAnInitContainerSharingTheNodesStateDirectoryUntilTheSavedFilesAreIn() {
        Pod restored = provisioner.nodePod(new SandboxRequest("sb-new", "ada", "clusterip", 2), SandboxNode.Role.SERVER,
                List.of("server"), List.of(), Instant.EPOCH, savedCluster());
        Pod agent = provisioner.nodePod(new SandboxRequest("sb-new", "ada", "clusterip", 2), SandboxNode.Role.AGENT,
                List.of("agent"), List.of(), Instant.EPOCH, savedCluster());

        assertThat(restored.getSpec().getInitContainers()).singleElement().satisfies(init -> {
            assertThat(init.getName()).isEqualTo(KubernetesSandboxProvisioner.RESTORE_CONTAINER);
            assertThat(init.getImage()).isEqualTo("servicelab/kube-node:v1");
            assertThat(init.getVolumeMounts()).singleElement().satisfies(m -> {
                assertThat(m.getName()).isEqualTo("k3s");
                assertThat(m.getMountPath()).isEqualTo("/var/lib/rancher/k3s");
            });
        });
        assertThat(serverPod().getSpec().getInitContainers()).as("a fresh sandbox starts at once").isEmpty();
        assertThat(agent.getSpec().getInitContainers()).as("the agent keeps no cluster state").isEmpty();
    }

    @Test
    void theSavedFilesAreReadFromTheNodesTarWithPathsRelativeToTheServerDirectory() throws Exception {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(bytes)) {
            tar.putArchiveEntry(new org.apache.commons.compress.archivers.tar.TarArchiveEntry("./db/"));
            tar.closeArchiveEntry();
            var file = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("./db/state.db");
            file.setSize(3);
            tar.putArchiveEntry(file);
            tar.write(new byte[] {1, 2, 3});
            tar.closeArchiveEntry();
        }

        Map<String, byte[]> files = KubernetesSandboxProvisioner.untar(bytes.toByteArray());

        assertThat(files).containsOnlyKeys("db/state.db");
        assertThat(files.get("db/state.db")).containsExactly(1, 2, 3);
    }

    @Test
    void aSnapshotTravelsToTheRestoredPodInArgumentsSmallEnoughForOneExecEach() {
        byte[] archive = new byte[250_000];
        new java.util.Random(7).nextBytes(archive);

        List<String> commands = KubernetesSandboxProvisioner.restoreCommands(archive);

        assertThat(commands).hasSize(5); // 333,336 base64 characters in pieces of 96,000, then the unpacking
        assertThat(commands.subList(0, 4)).allSatisfy(c -> assertThat(c.length()).isLessThan(128 * 1024));
        assertThat(commands.get(0)).contains(" > ");
        assertThat(commands.get(1)).contains(" >> ");
        String encoded = commands.subList(0, 4).stream().map(c -> c.split(" ")[2]).collect(Collectors.joining());
        assertThat(java.util.Base64.getDecoder().decode(encoded)).isEqualTo(archive);
        assertThat(commands.get(4)).contains("tar xzf - -C /var/lib/rancher/k3s/server/ --strip-components=1 server/")
                .endsWith("touch /var/lib/rancher/k3s/.restored");
    }

    @Test
    void theSnapshotCopiesEverySavedPathWhileTheDatastoreIsStoppedAndAlwaysResumesIt() {
        String script = KubernetesSandboxProvisioner.snapshotScript();

        assertThat(script).contains("kill -STOP $pid").contains("trap 'kill -CONT $pid")
                .contains("(sleep 20; kill -CONT $pid)").contains("flock");
        assertThat(script).contains("for f in db tls/ca.crt tls/ca.key tls/service-account.key tls/service-account.pub;");
        assertThat(script.indexOf("kill -CONT $pid\n")).as("resumed before the copy is sent")
                .isLessThan(script.indexOf("tar cf"));
    }

    @Test
    void theApiIsReachedByTheServiceNameTheCertificateCarries() {
        assertThat(provisioner.serviceHost("sb-abc123")).isEqualTo("sb-abc123.learners.svc");
    }
}

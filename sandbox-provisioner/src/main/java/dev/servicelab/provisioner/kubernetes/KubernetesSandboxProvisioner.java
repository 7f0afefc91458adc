package dev.servicelab.provisioner.kubernetes;

import dev.servicelab.provisioner.Kubeconfigs;
import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.provisioner.NodeCommand;
import dev.servicelab.provisioner.SandboxBootstrap;
import dev.servicelab.provisioner.SandboxLabels;
import dev.servicelab.provisioner.SandboxException;
import dev.servicelab.provisioner.SandboxNode;
import dev.servicelab.provisioner.SandboxPhase;
import dev.servicelab.provisioner.SandboxProgress;
import dev.servicelab.provisioner.SandboxProvisioner;
import dev.servicelab.provisioner.SandboxRequest;
import dev.servicelab.provisioner.SandboxSnapshot;
import dev.servicelab.provisioner.SnapshotArchive;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sandboxes as pods of an existing Kubernetes cluster: a privileged pod running the node image as
 * {@code server} behind a Service of its own on 6443 and, for two-node labs, a second pod as
 * {@code agent}. Everything carries the platform's and the sandbox's labels (owner, lab and creation
 * time as annotations), so {@link #list()} and {@link #attach} work from any platform replica and
 * after a restart. The platform reaches the sandbox's API through the Service's DNS name, which the
 * node's serving certificate names ({@code --tls-san}).
 *
 * <p>Hibernation: a pod cannot be paused, so there is no freeze stage ({@link #canFreeze()} is false),
 * but a sandbox is saved ({@link #snapshot}) and restored: the server pod of a restored sandbox starts
 * with an init container that waits until the provisioner has streamed the saved files into the
 * node's state directory, so they are in place before the node starts.
 */
public final class KubernetesSandboxProvisioner implements SandboxProvisioner, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KubernetesSandboxProvisioner.class);
    private static final String KUBECONFIG = "/etc/rancher/k3s/k3s.yaml";
    private static final String CONTAINER = "node";
    /** The init container of a restored server pod, which holds the node back until its saved files are in. */
    static final String RESTORE_CONTAINER = "restore";
    private static final String RESTORED_MARK = "/var/lib/rancher/k3s/.restored";
    /**
     * Base64 characters of the snapshot sent per exec, as an argument: below Linux's 128 KiB limit for
     * one argument, and the request line well below the API server's and kubelet's 1 MiB.
     */
    static final int RESTORE_CHUNK = 96_000;

    static final String PLATFORM = SandboxLabels.PLATFORM;
    static final String SANDBOX = SandboxLabels.SANDBOX;
    static final String ROLE = SandboxLabels.ROLE;
    static final String OWNER = SandboxLabels.OWNER;
    static final String LAB = SandboxLabels.LAB;
    static final String CREATED = SandboxLabels.CREATED;
    /**
     * The processes a node pod is sized for: each nested pod gets a quarter (the host cluster's own
     * pod pids limit, if its operator set one, caps the node pod as a whole).
     */
    static final int NODE_PIDS = 2048;

    private final KubernetesSandboxSettings settings;
    private final KubernetesClient host;

    public KubernetesSandboxProvisioner(KubernetesSandboxSettings settings) {
        this(settings, hostClient(settings.kubeconfig()));
    }

    public KubernetesSandboxProvisioner(KubernetesSandboxSettings settings, KubernetesClient host) {
        this.settings = settings;
        this.host = host;
    }

    private static KubernetesClient hostClient(String kubeconfig) {
        if (kubeconfig == null || kubeconfig.isBlank()) {
            return new KubernetesClientBuilder().build(); // in-cluster ServiceAccount, else ~/.kube/config
        }
        try {
            return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(Path.of(kubeconfig)))).build();
        } catch (IOException e) {
            throw new SandboxException(SandboxException.Reason.START_FAILED, "Cannot read the kubeconfig " + kubeconfig, e);
        }
    }

    /** The Service in front of a sandbox's server: also the host name its certificate and kubeconfig use. */
    public String serviceHost(String sandboxId) {
        return sandboxId + "." + settings.namespace() + ".svc";
    }

    @Override
    public Sandbox create(SandboxRequest request, SandboxProgress progress) {
        String id = request.sandboxId();
        SnapshotArchive restore = null;
        if (request.restoring()) {
            request.snapshot().requireCompatibleWith(settings.image());
            restore = SnapshotArchive.read(request.snapshot().archive());
        }
        Instant created = Instant.now();
        progress.reached(id, SandboxPhase.STARTING_CONTAINER);
        String token = NodeCommand.joinToken();
        try {
            host.network().v1().networkPolicies().inNamespace(settings.namespace()).resource(isolation(request)).create();
            host.services().inNamespace(settings.namespace()).resource(new ServiceBuilder()
                    .withNewMetadata().withName(id).withLabels(labels(request, null))
                    .withAnnotations(annotations(request, created)).endMetadata()
                    .withNewSpec().addToSelector(SANDBOX, id).addToSelector(ROLE, SandboxNode.Role.SERVER.label())
                    .addNewPort().withName("api").withPort(6443).withNewTargetPort(6443).endPort().endSpec()
                    .build()).create();
            Pod server = host.pods().inNamespace(settings.namespace())
                    .resource(nodePod(request, SandboxNode.Role.SERVER, serverArgs(id, request.addons()), List.of(env("K3S_TOKEN", token)), created,
                            restore))
                    .create();
            if (restore != null) {
                restoreFiles(server.getMetadata().getName(), request.snapshot());
            }
            Pod running = waitRunning(server.getMetadata().getName());
            progress.reached(id, SandboxPhase.LOADING_IMAGES);
            if (request.nodes() == 2) {
                // The agent joins by the server pod's IP: its own DNS lookups would meet the sandbox's
                // kube-proxy rules, and the pod IP is in the server's certificate.
                host.pods().inNamespace(settings.namespace()).resource(nodePod(request, SandboxNode.Role.AGENT,
                        NodeCommand.agent(NODE_PIDS),
                        agentEnv(token, "https://" + running.getStatus().getPodIP() + ":6443"), created, restore)).create();
            }
            String kubeconfig = waitForApi(id, progress);
            try (KubernetesClient client = Kubeconfigs.client(kubeconfig)) {
                // Heartbeats and container start times have whole seconds.
                SandboxBootstrap.prepare(client, id, request.nodes(), settings.toolboxImage(), settings.startupTimeout(),
                        progress, restore == null ? null : created.truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                        request.addons());
                if (restore != null) {
                    awaitOwnApiAddress(client, id, running.getStatus().getPodIP());
                }
            }
            Sandbox sandbox = attach(id).orElseThrow(() -> new SandboxException(SandboxException.Reason.START_FAILED,
                    "The sandbox started but its server pod vanished"));
            log.info("Sandbox {} ready in {} ms{}", id, Duration.between(created, Instant.now()).toMillis(),
                    restore == null ? "" : " (restored from a snapshot of " + request.snapshot().takenAt() + ")");
            return sandbox;
        } catch (SandboxException e) {
            delete(id);
            throw e;
        } catch (RuntimeException e) {
            delete(id);
            throw new SandboxException(SandboxException.Reason.START_FAILED, "The sandbox could not start: " + e.getMessage(), e);
        }
    }

    List<String> serverArgs(String id, Set<String> addons) {
        List<String> extra = new ArrayList<>(layoutArgs());
        extra.addAll(settings.extraServerArgs());
        return NodeCommand.server(List.of(id, id + "." + settings.namespace(), serviceHost(id),
                serviceHost(id) + ".cluster.local"), NODE_PIDS, extra, addons);
    }

    /**
     * k3s's agent learns the sandbox's ranges from its server and refuses them as flags; the kit's
     * agent reads them from these variables, which k3s ignores.
     */
    List<EnvVar> agentEnv(String token, String serverUrl) {
        List<EnvVar> env = new ArrayList<>(List.of(env("K3S_TOKEN", token), env("K3S_URL", serverUrl)));
        if (settings.clusterCidr() != null && !settings.clusterCidr().isBlank()) {
            env.add(env("SERVICELAB_CLUSTER_CIDR", settings.clusterCidr()));
        }
        if (settings.serviceCidr() != null && !settings.serviceCidr().isBlank()) {
            env.add(env("SERVICELAB_SERVICE_CIDR", settings.serviceCidr()));
        }
        return env;
    }

    /** The sandbox's own address ranges, apart from the host cluster's that its node pods live in. */
    private List<String> layoutArgs() {
        List<String> args = new ArrayList<>();
        if (settings.clusterCidr() != null && !settings.clusterCidr().isBlank()) {
            args.add("--cluster-cidr=" + settings.clusterCidr());
        }
        if (settings.serviceCidr() != null && !settings.serviceCidr().isBlank()) {
            args.add("--service-cidr=" + settings.serviceCidr());
        }
        return args;
    }

    /**
     * Lets a sandbox's node pods talk to each other (and carry its nested pod range between them), and
     * to nobody else: with k8s/base's default-deny and platform-only ingress, another sandbox's node
     * pods, the platform, PostgreSQL, the host API and metadata are out of reach.
     */
    NetworkPolicy isolation(SandboxRequest request) {
        var peers = new ArrayList<NetworkPolicyPeer>();
        peers.add(new NetworkPolicyPeerBuilder().withNewPodSelector().addToMatchLabels(SANDBOX, request.sandboxId())
                .endPodSelector().build());
        if (settings.clusterCidr() != null && !settings.clusterCidr().isBlank()) {
            peers.add(new NetworkPolicyPeerBuilder().withNewIpBlock().withCidr(settings.clusterCidr()).endIpBlock().build());
        }
        return new NetworkPolicyBuilder().withNewMetadata().withName("sandbox-" + request.sandboxId())
                .withLabels(labels(request, null)).endMetadata()
                .withNewSpec().withNewPodSelector().addToMatchLabels(SANDBOX, request.sandboxId()).endPodSelector()
                .withPolicyTypes("Ingress", "Egress")
                .addNewIngress().withFrom(peers).endIngress()
                .addNewEgress().withTo(peers).endEgress()
                .endSpec().build();
    }

    /**
     * The node pod: privileged (containerd, runc, iptables and mounts need it), capped, on emptyDirs.
     * Restoring, it keeps the saved node's name (the restored cluster's pods are bound to it) and the
     * server pod waits in an init container for the saved files (see {@link #restoreFiles}).
     */
    Pod nodePod(SandboxRequest request, SandboxNode.Role role, List<String> args, List<EnvVar> env, Instant created,
            SnapshotArchive restore) {
        String name = request.sandboxId() + "-" + role.label();
        String nodeName = restore == null ? name : restore.nodeName(role).orElse(name);
        Map<String, Quantity> requests = new LinkedHashMap<>();
        Map<String, Quantity> limits = new LinkedHashMap<>();
        if (settings.memoryRequest() != null && !settings.memoryRequest().isBlank()) {
            requests.put("memory", new Quantity(settings.memoryRequest()));
        }
        if (settings.cpuRequest() != null && !settings.cpuRequest().isBlank()) {
            requests.put("cpu", new Quantity(settings.cpuRequest()));
        }
        if (settings.memoryBytes() > 0) {
            limits.put("memory", new Quantity(Long.toString(settings.memoryBytes())));
        }
        if (settings.cpus() > 0) {
            limits.put("cpu", new Quantity(Math.round(settings.cpus() * 1000) + "m"));
        }
        // containerd's overlayfs cannot live on the container's own overlay: these are the image's VOLUMEs.
        Map<String, String> dirs = Map.of("kubelet", "/var/lib/kubelet", "k3s", "/var/lib/rancher/k3s",
                "cni", "/var/lib/cni", "log", "/var/log");
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        dirs.forEach((volume, path) -> {
            volumes.add(new VolumeBuilder().withName(volume).withNewEmptyDir().endEmptyDir().build());
            mounts.add(new VolumeMountBuilder().withName(volume).withMountPath(path).build());
        });
        volumes.add(new VolumeBuilder().withName("run").withNewEmptyDir().withMedium("Memory").endEmptyDir().build());
        mounts.add(new VolumeMountBuilder().withName("run").withMountPath("/run").build());
        PodBuilder pod = new PodBuilder()
                .withNewMetadata().withName(name).withLabels(labels(request, role))
                .withAnnotations(annotations(request, created)).endMetadata()
                .withNewSpec()
                .withHostname(nodeName)
                // The learner gets no token of the host cluster, and no host Service variables.
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withRestartPolicy("Never")
                .withTerminationGracePeriodSeconds(5L)
                .withVolumes(volumes)
                .addNewContainer().withName(CONTAINER).withImage(settings.image()).withImagePullPolicy("IfNotPresent")
                .withArgs(args).withEnv(env)
                .withNewSecurityContext().withPrivileged(true).endSecurityContext()
                .withNewResources().withRequests(requests).withLimits(limits).endResources()
                .withVolumeMounts(mounts)
                .endContainer()
                .endSpec();
        if (settings.runtimeClass() != null && !settings.runtimeClass().isBlank()) {
            pod.editSpec().withRuntimeClassName(settings.runtimeClass()).endSpec();
        }
        if (restore != null && role == SandboxNode.Role.SERVER) {
            pod.editSpec().addNewInitContainer().withName(RESTORE_CONTAINER).withImage(settings.image())
                    .withImagePullPolicy("IfNotPresent")
                    .withCommand("/bin/sh", "-c", "until [ -e " + RESTORED_MARK + " ]; do sleep 0.2; done")
                    .withVolumeMounts(mounts.stream().filter(m -> m.getName().equals("k3s")).toList())
                    .endInitContainer().endSpec();
        }
        return pod.build();
    }

    private Map<String, String> labels(SandboxRequest request, SandboxNode.Role role) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "servicelab-sandbox");
        labels.put(PLATFORM, settings.platformId());
        labels.put(SANDBOX, request.sandboxId());
        if (role != null) {
            labels.put(ROLE, role.label());
        }
        return labels;
    }

    /** Owner and lab are annotations: user names need not be valid label values. */
    private static Map<String, String> annotations(SandboxRequest request, Instant created) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(CREATED, Long.toString(created.toEpochMilli()));
        if (request.owner() != null) {
            annotations.put(OWNER, request.owner());
        }
        if (request.labId() != null) {
            annotations.put(LAB, request.labId());
        }
        return annotations;
    }

    /**
     * A restored cluster's {@code kubernetes} Service still lists the old server pod's address until
     * that server's API lease expires, so a learner's kubectl in a pod fails about every other call
     * ("no route to host") for a while after the restore. Ready means it lists the new address alone;
     * if that takes too long the sandbox is handed over anyway (it works, with those failures).
     */
    private void awaitOwnApiAddress(KubernetesClient client, String id, String serverIp) {
        Instant start = Instant.now();
        Instant deadline = start.plus(Duration.ofSeconds(90));
        List<String> addresses = List.of();
        while (Instant.now().isBefore(deadline)) {
            try {
                var slice = client.discovery().v1().endpointSlices().inNamespace("default").withName("kubernetes").get();
                addresses = slice == null || slice.getEndpoints() == null ? List.of() : slice.getEndpoints().stream()
                        .flatMap(e -> e.getAddresses().stream()).toList();
                if (addresses.equals(List.of(serverIp))) {
                    log.info("Sandbox {}'s API Service lists only {} after {} ms", id, serverIp,
                            Duration.between(start, Instant.now()).toMillis());
                    return;
                }
            } catch (KubernetesClientException e) {
                addresses = List.of(e.getMessage());
            }
            sleep(Duration.ofMillis(500));
        }
        log.warn("Sandbox {}'s API Service still lists {} instead of {} alone", id, addresses, serverIp);
    }

    /**
     * Puts the saved files into a restored server pod's state directory through its init container,
     * which then lets the node start. The archive travels base64-encoded in the arguments of a few
     * execs ({@link #restoreCommands}): fabric8's JDK WebSocket fails to send a large input at times
     * ("could not send", a frame still pending), whereas output and arguments are reliable.
     */
    private void restoreFiles(String pod, SandboxSnapshot snapshot) {
        Instant deadline = Instant.now().plus(settings.startupTimeout());
        while (!initContainerRunning(host.pods().inNamespace(settings.namespace()).withName(pod).get())) {
            if (!Instant.now().isBefore(deadline)) {
                throw new SandboxException(SandboxException.Reason.START_FAILED, "The sandbox pod " + pod
                        + " did not start its restore step within " + settings.startupTimeout().toSeconds() + " s");
            }
            sleep(Duration.ofMillis(300));
        }
        for (String command : restoreCommands(snapshot.archive())) {
            execIn(pod, RESTORE_CONTAINER, new ByteArrayOutputStream(), "/bin/sh", "-c", command);
        }
    }

    /**
     * The shell commands that rebuild the archive in the pod from base64 pieces and unpack its
     * {@code server/} files into {@link SnapshotArchive#SERVER_DIR}, then let the node start.
     */
    static List<String> restoreCommands(byte[] archive) {
        String encoded = java.util.Base64.getEncoder().encodeToString(archive);
        String part = "/var/lib/rancher/k3s/.restore.b64";
        List<String> commands = new ArrayList<>();
        for (int i = 0; i < encoded.length(); i += RESTORE_CHUNK) {
            commands.add("printf %s " + encoded.substring(i, Math.min(encoded.length(), i + RESTORE_CHUNK))
                    + (i == 0 ? " > " : " >> ") + part);
        }
        String dir = SnapshotArchive.SERVER_DIR;
        commands.add("set -e; mkdir -p " + dir + "; base64 -d " + part + " | tar xzf - -C " + dir
                + " --strip-components=1 server/; rm -f " + part + "; touch " + RESTORED_MARK);
        return commands;
    }

    private static boolean initContainerRunning(Pod pod) {
        if (pod == null) {
            throw new SandboxException(SandboxException.Reason.START_FAILED, "The sandbox's server pod was removed");
        }
        if (pod.getStatus() == null || pod.getStatus().getInitContainerStatuses() == null) {
            return false;
        }
        return pod.getStatus().getInitContainerStatuses().stream()
                .anyMatch(c -> RESTORE_CONTAINER.equals(c.getName()) && c.getState() != null && c.getState().getRunning() != null);
    }

    private Pod waitRunning(String pod) {
        Instant deadline = Instant.now().plus(settings.startupTimeout());
        String last = "not scheduled yet";
        while (Instant.now().isBefore(deadline)) {
            Pod current = host.pods().inNamespace(settings.namespace()).withName(pod).get();
            if (current == null) {
                throw new SandboxException(SandboxException.Reason.START_FAILED, "The sandbox pod " + pod + " was removed");
            }
            if (containerRunning(current)) {
                return current;
            }
            String phase = current.getStatus() == null ? null : current.getStatus().getPhase();
            if ("Failed".equals(phase) || "Succeeded".equals(phase)) {
                throw new SandboxException(SandboxException.Reason.START_FAILED, "The sandbox pod " + pod + " ended ("
                        + phase + "): " + tail(pod));
            }
            last = describe(current);
            sleep(Duration.ofMillis(500));
        }
        throw new SandboxException(SandboxException.Reason.START_FAILED, "The sandbox pod " + pod + " did not start within "
                + settings.startupTimeout().toSeconds() + " s (" + last + ")");
    }

    private String waitForApi(String id, SandboxProgress progress) {
        Instant deadline = Instant.now().plus(settings.startupTimeout());
        String last = "the node did not write its kubeconfig";
        while (Instant.now().isBefore(deadline)) {
            Pod server = host.pods().inNamespace(settings.namespace()).withName(id + "-server").get();
            if (server == null || !containerRunning(server)) {
                throw new SandboxException(SandboxException.Reason.START_FAILED, "The sandbox node stopped while starting: "
                        + tail(id + "-server"));
            }
            try {
                String kubeconfig = Kubeconfigs.withServer(exec(id + "-server", "cat", KUBECONFIG),
                        "https://" + serviceHost(id) + ":6443");
                try (KubernetesClient client = Kubeconfigs.client(kubeconfig)) {
                    client.nodes().list();
                    progress.reached(id, SandboxPhase.API_UP);
                    return kubeconfig;
                }
            } catch (RuntimeException e) {
                last = e.getMessage();
            }
            sleep(Duration.ofMillis(1000));
        }
        throw new SandboxException(SandboxException.Reason.START_FAILED, "The sandbox's API did not answer within "
                + settings.startupTimeout().toSeconds() + " s (" + last + ")");
    }

    @Override
    public List<SandboxStatus> list() {
        Map<String, List<Pod>> bySandbox = pods(null).stream().collect(Collectors.groupingBy(
                p -> p.getMetadata().getLabels().get(SANDBOX), LinkedHashMap::new, Collectors.toList()));
        List<SandboxStatus> result = new ArrayList<>();
        bySandbox.forEach((id, pods) -> {
            Map<String, String> annotations = pods.get(0).getMetadata().getAnnotations();
            result.add(new SandboxStatus(id, annotations.get(OWNER), annotations.get(LAB),
                    pods.stream().allMatch(KubernetesSandboxProvisioner::containerRunning),
                    Instant.ofEpochMilli(Long.parseLong(annotations.getOrDefault(CREATED, "0")))));
        });
        return result;
    }

    @Override
    public Optional<Sandbox> attach(String sandboxId) {
        List<Pod> pods = pods(sandboxId);
        Optional<Pod> server = pods.stream()
                .filter(p -> SandboxNode.Role.SERVER.label().equals(p.getMetadata().getLabels().get(ROLE))).findFirst();
        if (server.isEmpty() || !containerRunning(server.get())) {
            return Optional.empty();
        }
        String kubeconfig;
        try {
            kubeconfig = Kubeconfigs.withServer(exec(server.get().getMetadata().getName(), "cat", KUBECONFIG),
                    "https://" + serviceHost(sandboxId) + ":6443");
        } catch (RuntimeException e) {
            log.warn("Cannot read sandbox {}'s kubeconfig: {}", sandboxId, e.getMessage());
            return Optional.empty();
        }
        List<SandboxNode> nodes = pods.stream().map(p -> new SandboxNode(
                SandboxNode.Role.valueOf(p.getMetadata().getLabels().get(ROLE).toUpperCase()), p.getMetadata().getName(),
                p.getMetadata().getName(), p.getStatus().getPodIP(), Map.of())).toList();
        Map<String, String> annotations = server.get().getMetadata().getAnnotations();
        return Optional.of(new Sandbox(sandboxId, annotations.get(OWNER), annotations.get(LAB), kubeconfig, nodes,
                Instant.ofEpochMilli(Long.parseLong(annotations.getOrDefault(CREATED, "0")))));
    }

    /** Node pods are named by {@link SandboxNode#containerId()}; the platform reads files there by exec. */
    @Override
    public String readNodeFile(SandboxNode node, String path) {
        return exec(node.containerId(), "cat", path);
    }

    @Override
    public String natTable(SandboxNode node) {
        return exec(node.containerId(), "iptables-save", "-t", "nat");
    }

    @Override
    public boolean canHibernate() {
        return true;
    }

    /** A pod cannot be paused: hibernation goes straight to saving and removing an idle sandbox. */
    @Override
    public boolean canFreeze() {
        return false;
    }

    /**
     * Copies the datastore while kine cannot write: it is stopped (SIGSTOP) for the local copy of the
     * saved files, so the SQLite file and its write-ahead log form a state SQLite recovers cleanly, the
     * same as after a power cut; then it runs on while the copy is sent. A lock keeps two replicas'
     * saves apart, and a watchdog resumes kine even if the copy is cut short.
     */
    @Override
    public SandboxSnapshot snapshot(String sandboxId) {
        List<Pod> pods = pods(sandboxId);
        Pod server = pods.stream().filter(p -> SandboxNode.Role.SERVER.label().equals(p.getMetadata().getLabels().get(ROLE)))
                .findFirst().orElseThrow(() -> new SandboxException(SandboxException.Reason.NOT_FOUND,
                        "There is no sandbox " + sandboxId + " to save."));
        if (!containerRunning(server)) {
            throw new SandboxException(SandboxException.Reason.DEAD, "Sandbox " + sandboxId + " has stopped; its last "
                    + "snapshot is the latest state there is.");
        }
        Map<SandboxNode.Role, String> names = new LinkedHashMap<>();
        for (Pod pod : pods) {
            String hostname = pod.getSpec().getHostname();
            names.put(SandboxNode.Role.valueOf(pod.getMetadata().getLabels().get(ROLE).toUpperCase()),
                    hostname == null || hostname.isBlank() ? pod.getMetadata().getName() : hostname);
        }
        Instant taken = Instant.now();
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        byte[] tar = execIn(server.getMetadata().getName(), CONTAINER, report, "/bin/sh", "-c", snapshotScript());
        SandboxSnapshot snapshot = SnapshotArchive.write(settings.image(), names, untar(tar), taken);
        log.info("Sandbox {} saved: {} KiB in {} ms ({})", sandboxId, snapshot.size() / 1024,
                Duration.between(taken, Instant.now()).toMillis(), report.toString(StandardCharsets.UTF_8).strip());
        return snapshot;
    }

    static String snapshotScript() {
        String copy = "/var/lib/rancher/k3s/.snapshot";
        return String.join("\n",
                "set -e",
                "cd " + SnapshotArchive.SERVER_DIR,
                "exec 9>/var/lib/rancher/k3s/.snapshot.lock",
                "flock -w 60 9",
                "pid=$(pgrep -x kine) || { echo 'the datastore (kine) is not running' >&2; exit 1; }",
                "rm -rf " + copy + " && mkdir -p " + copy,
                "stopped=$(date +%s%N)",
                "kill -STOP $pid",
                "(sleep 20; kill -CONT $pid) >/dev/null 2>&1 9>&- &",
                "guard=$!",
                "trap 'kill -CONT $pid; kill $guard 2>/dev/null; rm -rf " + copy + "' EXIT",
                "for f in " + String.join(" ", SnapshotArchive.SAVED) + "; do [ ! -e \"$f\" ] || cp -a --parents \"$f\" "
                        + copy + "; done",
                "kill -CONT $pid",
                "echo \"datastore stopped $((($(date +%s%N) - stopped) / 1000000)) ms\" >&2",
                "tar cf - -C " + copy + " .");
    }

    /** The files of a tar stream by their relative path. */
    static Map<String, byte[]> untar(byte[] tar) {
        Map<String, byte[]> files = new TreeMap<>();
        try (var archive = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry entry = archive.getNextEntry(); entry != null; entry = archive.getNextEntry()) {
                if (entry.isFile()) {
                    files.put(entry.getName().replaceFirst("^\\./", ""), archive.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new SandboxException(SandboxException.Reason.DEAD, "The sandbox's saved files could not be read: "
                    + e.getMessage(), e);
        }
        return files;
    }

    @Override
    public boolean isAlive(String sandboxId) {
        List<Pod> pods = pods(sandboxId);
        return !pods.isEmpty() && pods.stream().allMatch(KubernetesSandboxProvisioner::containerRunning);
    }

    @Override
    public void delete(String sandboxId) {
        try {
            host.pods().inNamespace(settings.namespace()).withLabels(selector(sandboxId)).withGracePeriod(0).delete();
            host.services().inNamespace(settings.namespace()).withLabels(selector(sandboxId)).delete();
            host.network().v1().networkPolicies().inNamespace(settings.namespace()).withLabels(selector(sandboxId))
                    .delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw new SandboxException(SandboxException.Reason.NOT_FOUND, "Could not delete sandbox " + sandboxId
                        + ": " + e.getMessage(), e);
            }
        }
    }

    private List<Pod> pods(String sandboxId) {
        return host.pods().inNamespace(settings.namespace()).withLabels(selector(sandboxId)).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private Map<String, String> selector(String sandboxId) {
        Map<String, String> selector = new LinkedHashMap<>();
        selector.put(PLATFORM, settings.platformId());
        if (sandboxId != null) {
            selector.put(SANDBOX, sandboxId);
        }
        return selector;
    }

    /** Runs a command in a node pod and returns what it printed (the platform only: learners have no access). */
    String exec(String pod, String... command) {
        return new String(execIn(pod, CONTAINER, new ByteArrayOutputStream(), command), StandardCharsets.UTF_8);
    }

    /**
     * Runs a command in a container of a node pod and returns its output; its error output is collected
     * in {@code err} (and goes into the exception if it fails).
     */
    private byte[] execIn(String pod, String container, ByteArrayOutputStream err, String... command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ExecWatch watch = host.pods().inNamespace(settings.namespace()).withName(pod).inContainer(container)
                .writingOutput(out).writingError(err).exec(command)) {
            Integer code = watch.exitCode().get(60, TimeUnit.SECONDS);
            if (code == null || code != 0) {
                throw new SandboxException(SandboxException.Reason.DEAD, String.join(" ", command) + " in " + pod
                        + " failed (" + code + "): " + err.toString(StandardCharsets.UTF_8).strip());
            }
            return out.toByteArray();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException(SandboxException.Reason.DEAD, "Interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new SandboxException(SandboxException.Reason.DEAD, "Cannot exec in " + pod + ": " + e.getMessage(), e);
        }
    }

    static boolean containerRunning(Pod pod) {
        if (pod.getStatus() == null || !"Running".equals(pod.getStatus().getPhase())
                || pod.getStatus().getContainerStatuses() == null) {
            return false;
        }
        return pod.getStatus().getContainerStatuses().stream().map(ContainerStatus::getState)
                .allMatch(s -> s != null && s.getRunning() != null);
    }

    private static String describe(Pod pod) {
        if (pod.getStatus() == null) {
            return "no status";
        }
        StringBuilder text = new StringBuilder(String.valueOf(pod.getStatus().getPhase()));
        if (pod.getStatus().getConditions() != null) {
            pod.getStatus().getConditions().stream().filter(c -> !"True".equals(c.getStatus()) && c.getMessage() != null)
                    .forEach(c -> text.append("; ").append(c.getMessage()));
        }
        if (pod.getStatus().getContainerStatuses() != null) {
            pod.getStatus().getContainerStatuses().stream().filter(c -> c.getState() != null && c.getState().getWaiting() != null)
                    .forEach(c -> text.append("; ").append(c.getState().getWaiting().getReason()).append(" ")
                            .append(String.valueOf(c.getState().getWaiting().getMessage())));
        }
        return text.toString();
    }

    private String tail(String pod) {
        try {
            return host.pods().inNamespace(settings.namespace()).withName(pod).tailingLines(20).getLog();
        } catch (RuntimeException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static EnvVar env(String name, String value) {
        return new EnvVar(name, value, null);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException(SandboxException.Reason.START_FAILED, "Interrupted while waiting for the sandbox", e);
        }
    }

    @Override
    public void close() {
        host.close();
    }
}

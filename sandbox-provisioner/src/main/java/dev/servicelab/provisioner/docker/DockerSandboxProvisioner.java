package dev.servicelab.provisioner.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Ports;
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
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.WaitStrategyTarget;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Sandboxes as Docker containers: a k3s-compatible server node (Testcontainers' {@link K3sContainer})
 * and, for two-node labs, an agent node, on a Docker network of their own so that sandboxes cannot
 * reach each other. Everything is labelled, so {@link #list()} and {@link #attach} work after a
 * platform restart; Testcontainers' reuse mode keeps it from removing sandboxes when the JVM exits.
 */
public final class DockerSandboxProvisioner implements SandboxProvisioner {

    private static final Logger log = LoggerFactory.getLogger(DockerSandboxProvisioner.class);
    private static final String KUBECONFIG = "/etc/rancher/k3s/k3s.yaml";
    private static final String IMAGES_DIR = "/var/lib/rancher/k3s/agent/images/";
    private static final String LOOPBACK = "127.0.0.1";

    private final DockerSandboxSettings settings;
    private final DockerClient docker;

    public DockerSandboxProvisioner(DockerSandboxSettings settings) {
        this.settings = settings;
        try {
            this.docker = DockerClientFactory.instance().client();
        } catch (RuntimeException e) {
            throw new SandboxException(SandboxException.Reason.START_FAILED, "No Docker engine answers. Start one "
                    + "(./servicelab run starts Debian's docker.io as root) or set DOCKER_HOST.", e);
        }
        if (!"true".equalsIgnoreCase(System.getenv("TESTCONTAINERS_RYUK_DISABLED"))) {
            log.warn("TESTCONTAINERS_RYUK_DISABLED is not true: Testcontainers will try to pull its Ryuk image, "
                    + "which fails offline. ./servicelab sets it; set it yourself when starting the jar directly.");
        }
    }

    @Override
    public Sandbox create(SandboxRequest request, SandboxProgress progress) {
        if (docker.listImagesCmd().withImageNameFilter(settings.image()).exec().isEmpty()
                && !settings.image().startsWith("rancher/")) {
            throw new SandboxException(SandboxException.Reason.START_FAILED, "The sandbox image " + settings.image()
                    + " is not in the local Docker engine. Run sandbox-provisioner/kit/ensure-kit.sh to build it.");
        }
        String id = request.sandboxId();
        SnapshotArchive restore = null;
        if (request.restoring()) {
            request.snapshot().requireCompatibleWith(settings.image());
            restore = SnapshotArchive.read(request.snapshot().archive());
        }
        progress.reached(id, SandboxPhase.STARTING_CONTAINER);
        Instant created = Instant.now();
        String token = NodeCommand.joinToken();
        Network network = Network.builder().createNetworkCmdModifier(cmd -> cmd.withName("servicelab-" + id)
                .withLabels(Map.of(SandboxLabels.PLATFORM, settings.platformId(), SandboxLabels.SANDBOX, id))).build();
        try {
            connectPlatform(network.getId());
            K3sContainer server = new K3sContainer(DockerImageName.parse(settings.image()).asCompatibleSubstituteFor("rancher/k3s"));
            List<String> command = NodeCommand.server(List.of(settings.hostAddress()), settings.pidsLimit(),
                    settings.extraServerArgs(), request.addons());
            configure(server, request, SandboxNode.Role.SERVER, network, created, restore)
                    .withNetworkAliases("server")
                    .withEnv("K3S_TOKEN", token)
                    .withCommand(command.toArray(String[]::new))
                    .waitingFor(new KubernetesReadyWait(settings.startupTimeout(), this::apiServer,
                            phase -> progress.reached(id, phase)));
            server.start();
            if (request.nodes() == 2) {
                AgentContainer agent = configure(new AgentContainer(DockerImageName.parse(settings.image())),
                        request, SandboxNode.Role.AGENT, network, created, restore)
                        .withEnv("K3S_URL", "https://server:6443")
                        .withEnv("K3S_TOKEN", token)
                        .withCommand(NodeCommand.agent(settings.pidsLimit()).toArray(String[]::new));
                agent.setPrivilegedMode(true);
                agent.setTmpFsMapping(Map.of("/run", "", "/var/run", ""));
                agent.start();
            }
            Sandbox sandbox = attach(id).orElseThrow(() -> new SandboxException(SandboxException.Reason.START_FAILED,
                    "The sandbox started but its node container vanished"));
            try (KubernetesClient client = Kubeconfigs.client(sandbox.kubeconfig())) {
                // Heartbeats and container start times have whole seconds.
                SandboxBootstrap.prepare(client, id, request.nodes(), settings.toolboxImage(), settings.startupTimeout(),
                        progress, restore == null ? null : created.truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                        request.addons());
            }
            // After start-up, when kube-proxy has hooked its chains: ours must come first.
            installEgressPolicy(sandbox, network.getId());
            log.info("Sandbox {} ready in {} ms{}", id, Duration.between(created, Instant.now()).toMillis(),
                    restore == null ? "" : " (restored from a snapshot of " + request.snapshot().takenAt() + ")");
            return sandbox;
        } catch (SandboxException e) {
            delete(id);
            throw e;
        } catch (RuntimeException e) {
            delete(id);
            throw new SandboxException(SandboxException.Reason.START_FAILED,
                    "The sandbox could not start: " + rootMessage(e), e);
        }
    }

    private <C extends GenericContainer<C>> C configure(C container, SandboxRequest request, SandboxNode.Role role,
            Network network, Instant created, SnapshotArchive restore) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(SandboxLabels.PLATFORM, settings.platformId());
        labels.put(SandboxLabels.SANDBOX, request.sandboxId());
        labels.put(SandboxLabels.ROLE, role.label());
        labels.put(SandboxLabels.CREATED, Long.toString(created.toEpochMilli()));
        if (request.owner() != null) {
            labels.put(SandboxLabels.OWNER, request.owner());
        }
        if (request.labId() != null) {
            labels.put(SandboxLabels.LAB, request.labId());
        }
        String name = request.sandboxId() + "-" + role.label();
        // A restored cluster keeps its node names, so the pods bound to the old nodes start on the new ones.
        String hostName = restore == null ? name : restore.nodeName(role).orElse(name);
        if (restore != null && role == SandboxNode.Role.SERVER) {
            restore.files().forEach((path, content) -> container.withCopyToContainer(
                    Transferable.of(content, 0600), SnapshotArchive.SERVER_DIR + path));
        }
        container.withNetwork(network).withLabels(labels).withReuse(true)
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withName("servicelab-" + name).withHostName(hostName);
                    var host = cmd.getHostConfig();
                    if (settings.memoryBytes() > 0) {
                        host.withMemory(settings.memoryBytes()).withMemorySwap(settings.memoryBytes());
                    }
                    if (settings.cpus() > 0) {
                        host.withNanoCPUs((long) (settings.cpus() * 1_000_000_000L));
                    }
                    if (settings.pidsLimit() > 0) {
                        host.withPidsLimit((long) settings.pidsLimit());
                    }
                    // Published ports (the API server's) on the host's loopback only: not on its public
                    // interfaces, and not on the Docker gateway where other sandboxes' pods knock.
                    if (cmd.getExposedPorts() != null && cmd.getExposedPorts().length > 0) {
                        Ports loopback = new Ports();
                        for (ExposedPort port : cmd.getExposedPorts()) {
                            loopback.bind(port, Ports.Binding.bindIp(LOOPBACK));
                        }
                        host.withPortBindings(loopback);
                    }
                });
        if (settings.imagesDirectory() != null && Files.isDirectory(settings.imagesDirectory())) {
            try (Stream<Path> tarballs = Files.list(settings.imagesDirectory())) {
                tarballs.filter(p -> p.toString().endsWith(".tar")).forEach(tar -> container.withCopyToContainer(
                        org.testcontainers.utility.MountableFile.forHostPath(tar), IMAGES_DIR + tar.getFileName()));
            } catch (IOException e) {
                throw new SandboxException(SandboxException.Reason.START_FAILED, "Cannot read the sandbox images in "
                        + settings.imagesDirectory() + ": " + e.getMessage(), e);
            }
        }
        return container;
    }

    @Override
    public List<SandboxStatus> list() {
        Map<String, List<Container>> bySandbox = containers(null).stream()
                .collect(Collectors.groupingBy(c -> c.getLabels().get(SandboxLabels.SANDBOX), LinkedHashMap::new, Collectors.toList()));
        List<SandboxStatus> result = new ArrayList<>();
        bySandbox.forEach((id, list) -> {
            Map<String, String> labels = list.get(0).getLabels();
            boolean running = list.stream().allMatch(DockerSandboxProvisioner::up);
            boolean frozen = list.stream().allMatch(c -> "paused".equals(c.getState()));
            long created = Long.parseLong(labels.getOrDefault(SandboxLabels.CREATED, "0"));
            result.add(new SandboxStatus(id, labels.get(SandboxLabels.OWNER), labels.get(SandboxLabels.LAB), running,
                    Instant.ofEpochMilli(created), frozen));
        });
        return result;
    }

    @Override
    public Optional<Sandbox> attach(String sandboxId) {
        List<Container> containers = containers(sandboxId);
        Optional<Container> server = containers.stream()
                .filter(c -> SandboxNode.Role.SERVER.label().equals(c.getLabels().get(SandboxLabels.ROLE))).findFirst();
        if (server.isEmpty() || !up(server.get())) {
            return Optional.empty();
        }
        List<SandboxNode> nodes = containers.stream().map(this::node).toList();
        SandboxNode serverNode = nodes.stream().filter(n -> n.role() == SandboxNode.Role.SERVER).findFirst().orElseThrow();
        Integer apiPort = serverNode.hostPorts().get(6443);
        if (apiPort == null) {
            return Optional.empty();
        }
        String apiServer = settings.platformInDocker() ? "https://" + serverNode.address() + ":6443"
                : "https://" + settings.hostAddress() + ":" + apiPort;
        String kubeconfig = Kubeconfigs.withServer(readFile(serverNode.containerId(), KUBECONFIG), apiServer);
        Map<String, String> labels = server.get().getLabels();
        try {
            connectPlatform("servicelab-" + sandboxId); // a re-created platform container is on no sandbox network yet
        } catch (RuntimeException e) {
            log.warn("Could not attach the platform to sandbox {}'s network: {}", sandboxId, e.getMessage());
        }
        return Optional.of(new Sandbox(sandboxId, labels.get(SandboxLabels.OWNER), labels.get(SandboxLabels.LAB), kubeconfig, nodes,
                Instant.ofEpochMilli(Long.parseLong(labels.getOrDefault(SandboxLabels.CREATED, "0")))));
    }

    @Override
    public boolean isAlive(String sandboxId) {
        List<Container> containers = containers(sandboxId);
        return !containers.isEmpty() && containers.stream().allMatch(DockerSandboxProvisioner::up);
    }

    /**
     * A node container that is there to use: running, or paused for a moment while a replica copies
     * its datastore (or frozen), which another replica must not take for a dead node.
     */
    private static boolean up(Container container) {
        return "running".equals(container.getState()) || "paused".equals(container.getState());
    }

    @Override
    public boolean canHibernate() {
        return true;
    }

    @Override
    public void freeze(String sandboxId) {
        List<Container> containers = containers(sandboxId);
        if (containers.isEmpty()) {
            throw new SandboxException(SandboxException.Reason.NOT_FOUND, "There is no sandbox " + sandboxId + " to freeze.");
        }
        containers.stream().filter(c -> "running".equals(c.getState()))
                .forEach(c -> docker.pauseContainerCmd(c.getId()).exec());
    }

    @Override
    public void thaw(String sandboxId) {
        containers(sandboxId).stream().filter(c -> "paused".equals(c.getState()))
                .forEach(c -> docker.unpauseContainerCmd(c.getId()).exec());
    }

    /**
     * Copies the datastore while kine cannot write: the server container is paused (unless the whole
     * sandbox already is), so the SQLite file and its write-ahead log form a state SQLite recovers
     * cleanly, the same as after a power cut.
     */
    @Override
    public SandboxSnapshot snapshot(String sandboxId) {
        List<Container> containers = containers(sandboxId);
        Container server = containers.stream()
                .filter(c -> SandboxNode.Role.SERVER.label().equals(c.getLabels().get(SandboxLabels.ROLE))).findFirst()
                .orElseThrow(() -> new SandboxException(SandboxException.Reason.NOT_FOUND,
                        "There is no sandbox " + sandboxId + " to save."));
        if (!"running".equals(server.getState()) && !"paused".equals(server.getState())) {
            throw new SandboxException(SandboxException.Reason.DEAD, "Sandbox " + sandboxId + " has stopped ("
                    + server.getState() + "); its last snapshot is the latest state there is.");
        }
        Map<SandboxNode.Role, String> names = new LinkedHashMap<>();
        for (Container c : containers) {
            names.put(SandboxNode.Role.valueOf(c.getLabels().get(SandboxLabels.ROLE).toUpperCase()),
                    docker.inspectContainerCmd(c.getId()).exec().getConfig().getHostName());
        }
        Instant taken = Instant.now();
        boolean pausedHere = "running".equals(server.getState());
        if (pausedHere) {
            docker.pauseContainerCmd(server.getId()).exec();
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        try {
            for (String path : SnapshotArchive.SAVED) {
                readTree(server.getId(), SnapshotArchive.SERVER_DIR + path, path, files);
            }
        } finally {
            if (pausedHere) {
                docker.unpauseContainerCmd(server.getId()).exec();
            }
        }
        SandboxSnapshot snapshot = SnapshotArchive.write(settings.image(), names, files, taken);
        log.info("Sandbox {} saved: {} KiB in {} ms", sandboxId, snapshot.size() / 1024,
                Duration.between(taken, Instant.now()).toMillis());
        return snapshot;
    }

    /** Reads a file or a directory's files from a container into {@code into}, named under {@code as}. */
    private void readTree(String containerId, String path, String as, Map<String, byte[]> into) {
        try (InputStream tar = docker.copyArchiveFromContainerCmd(containerId, path).exec();
                var archive = new TarArchiveInputStream(tar)) {
            String top = null;
            for (var entry = archive.getNextEntry(); entry != null; entry = archive.getNextEntry()) {
                if (top == null) {
                    top = entry.getName().replaceAll("/$", ""); // the tar names the file or directory itself first
                }
                if (entry.isFile()) {
                    String relative = entry.getName().equals(top) ? "" : entry.getName().substring(top.length());
                    into.put(as + relative, archive.readAllBytes());
                }
            }
        } catch (NotFoundException missing) {
            // e.g. no write-ahead log at the moment: nothing to save
        } catch (IOException e) {
            throw new SandboxException(SandboxException.Reason.DEAD, "Cannot read " + path + " from sandbox node "
                    + containerId + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(String sandboxId) {
        for (Container container : containers(sandboxId)) {
            try {
                docker.removeContainerCmd(container.getId()).withForce(true).withRemoveVolumes(true).exec();
            } catch (NotFoundException gone) {
                // removed concurrently: that is what we wanted
            }
        }
        docker.listNetworksCmd().withFilter("label", List.of(SandboxLabels.SANDBOX + "=" + sandboxId)).exec()
                .forEach(network -> {
                    try {
                        // The engine refuses to remove a network the platform container is still on.
                        var attached = docker.inspectNetworkCmd().withNetworkId(network.getId()).exec().getContainers();
                        if (attached != null) {
                            attached.keySet().forEach(container -> disconnect(network.getId(), container));
                        }
                        docker.removeNetworkCmd(network.getId()).exec();
                    } catch (NotFoundException gone) {
                        // already removed
                    }
                });
    }

    /**
     * Where the platform reaches a starting server node's API: the port published on the host's
     * loopback, or, from the platform's own container (which cannot see the host's loopback), the
     * node's address on the sandbox network it has joined. The node's certificate names both.
     */
    private String apiServer(WaitStrategyTarget node) {
        if (settings.platformInDocker()) {
            String address = node.getContainerInfo().getNetworkSettings().getNetworks().values().stream()
                    .map(ContainerNetwork::getIpAddress).filter(ip -> ip != null && !ip.isBlank()).findFirst()
                    .orElseThrow(() -> new IllegalStateException("the node has no address on its network yet"));
            return "https://" + address + ":6443";
        }
        return "https://" + settings.hostAddress() + ":" + node.getMappedPort(6443);
    }

    /** Installs the sandbox's {@link EgressPolicy} in every node's network namespace. */
    private void installEgressPolicy(Sandbox sandbox, String networkId) {
        var ipam = docker.inspectNetworkCmd().withNetworkId(networkId).exec().getIpam();
        List<String> gateways = ipam == null || ipam.getConfig() == null ? List.of() : ipam.getConfig().stream()
                .map(c -> c.getGateway()).filter(g -> g != null && !g.isBlank()).toList();
        List<String> nodes = sandbox.nodes().stream().map(SandboxNode::address).filter(a -> a != null).toList();
        EgressPolicy policy = new EgressPolicy(serverArg("--cluster-cidr", "10.42.0.0/16"),
                serverArg("--service-cidr", "10.43.0.0/16"), nodes, gateways, settings.egressAllow(),
                settings.nodeInternet());
        for (SandboxNode node : sandbox.nodes()) {
            exec(node.containerId(), "sh", "-c", policy.script());
        }
    }

    /** A k3s flag's value in the extra server arguments ({@code --flag=value} or {@code --flag value}). */
    private String serverArg(String flag, String fallback) {
        List<String> args = settings.extraServerArgs();
        String value = fallback;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).startsWith(flag + "=")) {
                value = args.get(i).substring(flag.length() + 1);
            } else if (args.get(i).equals(flag) && i + 1 < args.size()) {
                value = args.get(i + 1);
            }
        }
        return value;
    }

    @Override
    public String natTable(SandboxNode node) {
        return exec(node.containerId(), "iptables-save", "-t", "nat");
    }

    /** Runs a command in a node container as the platform; its output, or a failure with it unless it exits 0. */
    private String exec(String containerId, String... command) {
        String execId = docker.execCreateCmd(containerId).withCmd(command).withAttachStdout(true)
                .withAttachStderr(true).exec().getId();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            docker.execStartCmd(execId).exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                    out.writeBytes(frame.getPayload());
                }
            }).awaitCompletion(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException(SandboxException.Reason.START_FAILED, "Interrupted while running a command in the node", e);
        }
        Long exit = docker.inspectExecCmd(execId).exec().getExitCodeLong();
        if (exit == null || exit != 0) {
            throw new SandboxException(SandboxException.Reason.START_FAILED, "A command in the sandbox node failed ("
                    + String.join(" ", command).lines().findFirst().orElse("") + ", exit " + exit + "): "
                    + out.toString(StandardCharsets.UTF_8).strip());
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * When the platform runs in a container, it joins the sandbox's network: checks reach node IPs
     * (NodePort, the tunnel) as they would from the host. Idempotent.
     */
    private void connectPlatform(String network) {
        if (!settings.platformInDocker()) {
            return;
        }
        String self = platformContainerId();
        var networks = docker.inspectContainerCmd(self).exec().getNetworkSettings().getNetworks();
        String name = docker.inspectNetworkCmd().withNetworkId(network).exec().getName();
        if (networks == null || !networks.containsKey(name)) {
            docker.connectToNetworkCmd().withContainerId(self).withNetworkId(network).exec();
        }
    }

    private void disconnect(String network, String container) {
        try {
            docker.disconnectFromNetworkCmd().withNetworkId(network).withContainerId(container).withForce(true).exec();
        } catch (RuntimeException e) {
            log.debug("Could not disconnect {} from {}: {}", container, network, e.getMessage());
        }
    }

    private String platformContainerId() {
        String name = settings.platformContainer();
        if ("self".equals(name)) {
            // Docker names a container's host after its id unless told otherwise.
            String host = System.getenv("HOSTNAME");
            if (host == null || host.isBlank()) {
                try {
                    host = java.net.InetAddress.getLocalHost().getHostName();
                } catch (java.net.UnknownHostException e) {
                    throw new SandboxException(SandboxException.Reason.START_FAILED, "Cannot tell which container the "
                            + "platform runs in: set servicelab.sandbox.platform-container to its name", e);
                }
            }
            name = host;
        }
        return name;
    }

    private List<Container> containers(String sandboxId) {
        List<String> filters = new ArrayList<>(List.of(SandboxLabels.PLATFORM + "=" + settings.platformId()));
        if (sandboxId != null) {
            filters.add(SandboxLabels.SANDBOX + "=" + sandboxId);
        }
        return docker.listContainersCmd().withShowAll(true).withLabelFilter(filters.stream()
                .collect(Collectors.toMap(f -> f.substring(0, f.indexOf('=')), f -> f.substring(f.indexOf('=') + 1)))).exec();
    }

    private SandboxNode node(Container container) {
        InspectContainerResponse inspect = docker.inspectContainerCmd(container.getId()).exec();
        SandboxNode.Role role = SandboxNode.Role.valueOf(container.getLabels().get(SandboxLabels.ROLE).toUpperCase());
        String address = inspect.getNetworkSettings().getNetworks().values().stream()
                .map(ContainerNetwork::getIpAddress).filter(ip -> ip != null && !ip.isBlank()).findFirst().orElse(null);
        Map<Integer, Integer> ports = new LinkedHashMap<>();
        Map<ExposedPort, Ports.Binding[]> bindings = inspect.getNetworkSettings().getPorts().getBindings();
        bindings.forEach((exposed, binds) -> {
            if (binds != null && binds.length > 0) {
                ports.put(exposed.getPort(), Integer.parseInt(binds[0].getHostPortSpec()));
            }
        });
        return new SandboxNode(role, container.getId(), inspect.getConfig().getHostName(), address, ports);
    }

    @Override
    public String readNodeFile(SandboxNode node, String path) {
        return readFile(node.containerId(), path);
    }

    private String readFile(String containerId, String path) {
        try (InputStream tar = docker.copyArchiveFromContainerCmd(containerId, path).exec();
                var archive = new TarArchiveInputStream(tar)) {
            archive.getNextEntry();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            archive.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SandboxException(SandboxException.Reason.DEAD, "Cannot read " + path + " from the sandbox node: "
                    + e.getMessage(), e);
        }
    }

    /** The second node of a two-node sandbox: the same image, started as a k3s agent. */
    private static final class AgentContainer extends GenericContainer<AgentContainer> {
        AgentContainer(DockerImageName image) {
            super(image);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}

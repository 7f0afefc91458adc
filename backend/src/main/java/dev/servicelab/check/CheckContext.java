package dev.servicelab.check;

import dev.servicelab.sandbox.PodExec;

import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.provisioner.SandboxBootstrap;
import dev.servicelab.provisioner.SandboxNode;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What checks work with: the learner's sandbox, a client for its API, its probe pods, and how long
 * its cluster has been still (see {@link ClusterStillness}). A step's probes use it from several
 * threads at once: everything in it is safe for that (fabric8's client is).
 */
public record CheckContext(Sandbox sandbox, KubernetesClient client, ClusterStillness stillness, Prober prober) {

    /** Runs a shell script in the probe pod on a node; unit tests script its answers. */
    @FunctionalInterface
    public interface Prober {
        PodExec.Result run(SandboxNode.Role node, Duration timeout, String script);

        /**
         * Probes sent side by side: the commands run at once, but a probe pod that must be made again
         * is made once (two probes replacing it at the same time would delete each other's).
         */
        static Prober of(KubernetesClient client) {
            Map<SandboxNode.Role, ReentrantLock> making = new EnumMap<>(SandboxNode.Role.class);
            for (SandboxNode.Role role : SandboxNode.Role.values()) {
                making.put(role, new ReentrantLock());
            }
            return (node, timeout, script) -> {
                ReentrantLock lock = making.get(node);
                try {
                    lock.lockInterruptibly();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new PodExec.Result(-1, "", "interrupted");
                }
                String pod;
                try {
                    pod = PodExec.probePod(client, node);
                } finally {
                    lock.unlock();
                }
                return PodExec.run(client, SandboxBootstrap.NAMESPACE, pod, timeout, "sh", "-c", script);
            };
        }
    }

    public CheckContext(Sandbox sandbox, KubernetesClient client) {
        this(sandbox, client, ClusterStillness.of(client));
    }

    public CheckContext(Sandbox sandbox, KubernetesClient client, ClusterStillness stillness) {
        this(sandbox, client, stillness, Prober.of(client));
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([a-zA-Z]+)\\.([a-z0-9-]+)\\.([a-zA-Z]+)(?:\\.([a-z0-9-]+))?\\s*}}");

    /** Runs a shell command in the probe pod on the given node (server unless a lab asks for the agent). */
    public PodExec.Result probe(String fromNode, Duration timeout, String script) {
        SandboxNode.Role role = "agent".equalsIgnoreCase(fromNode) ? SandboxNode.Role.AGENT : SandboxNode.Role.SERVER;
        return prober.run(role, timeout, script);
    }

    /** The Service a check is about, or a failure that says it does not exist (yet). */
    public Service service(String name, String namespace) {
        Service service = client.services().inNamespace(namespace).withName(name).get();
        if (service == null) {
            throw new Missing("Service " + name + " does not exist in namespace " + namespace + ".");
        }
        return service;
    }

    public Optional<SandboxNode> node(String role) {
        return sandbox.node("agent".equalsIgnoreCase(role) ? SandboxNode.Role.AGENT : SandboxNode.Role.SERVER);
    }

    /**
     * Fills {{service.NAME.clusterIP}}, {{service.NAME.nodePort[.PORTNAME]}}, {{node.ROLE.ip}} from the
     * live cluster, or explains which one cannot be filled yet.
     */
    public String fill(String text, String namespace) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(value(m.group(1), m.group(2), m.group(3), m.group(4), namespace)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String value(String kind, String name, String field, String port, String namespace) {
        if ("node".equals(kind)) {
            return node(name).map(SandboxNode::address).orElseThrow(() -> new Missing(
                    "This check needs a " + name + " node, and this sandbox has none."));
        }
        Service service = service(name, namespace);
        return switch (field) {
            case "clusterIP" -> service.getSpec().getClusterIP();
            case "nodePort" -> service.getSpec().getPorts().stream()
                    .filter(p -> port == null || port.equals(p.getName())).map(ServicePort::getNodePort)
                    .filter(java.util.Objects::nonNull).findFirst().map(String::valueOf)
                    .orElseThrow(() -> new Missing("Service " + name + " has no nodePort"
                            + (port == null ? "" : " on a port named " + port) + " (it is of type "
                            + service.getSpec().getType() + ")."));
            default -> throw new Missing("Unknown placeholder field " + field);
        };
    }

    /**
     * Null while the sandbox's API server answers, else why it does not: the engine then ends the
     * check at once instead of retrying against a cluster that is gone.
     */
    public String unreachable() {
        try {
            client.getKubernetesVersion();
            return null;
        } catch (RuntimeException e) {
            return CheckEngine.unreachable(e);
        }
    }

    /**
     * A check needs something the sandbox does not have: the check fails with this message,
     * definitively unless {@code converging} (a controller may still make it).
     */
    public static final class Missing extends RuntimeException {
        private final boolean converging;

        public Missing(String message) {
            this(message, false);
        }

        public Missing(String message, boolean converging) {
            super(message);
            this.converging = converging;
        }

        public boolean converging() {
            return converging;
        }
    }
}

package dev.servicelab.check;

import dev.servicelab.provisioner.SandboxBootstrap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * How long the learner's cluster has been still: nothing created or changed (by the learner or by a
 * controller), nothing being deleted, and every pod Ready, finished or stuck (crash-looping, failing its
 * readiness probe past its threshold). A probe that keeps failing the
 * same way in a still cluster is not converging towards anything: nothing is left that could make it
 * pass, so the engine can give its verdict without waiting out the check's window.
 *
 * <p>Kubernetes keeps no "last modified" time, but every write records its time in the object's
 * managed fields (whole seconds), and controllers' writes (EndpointSlices, pod status) count too.
 * The platform's own namespace is left out: probe pods come and go there during a check.
 */
@FunctionalInterface
public interface ClusterStillness {

    /**
     * @param still how long nothing has changed; zero while something is changing or cannot be read
     * @param names how long ago something last changed what a Service's name resolves to (a Service
     *        created, its type or ClusterIP set, a headless Service's endpoints): until CoreDNS's cached
     *        answers (a few seconds) have expired, a name may still resolve as it did before
     */
    record Quiet(Duration still, Duration names) {
        public static final Quiet NONE = new Quiet(Duration.ZERO, Duration.ZERO);

        /** How quiet it was this long before it was observed. */
        public Quiet before(Duration earlier) {
            return new Quiet(minus(still, earlier), minus(names, earlier));
        }

        private static Duration minus(Duration a, Duration b) {
            Duration d = a.minus(b.isNegative() ? Duration.ZERO : b);
            return d.isNegative() ? Duration.ZERO : d;
        }
    }

    /** Never still: the engine then always waits out a converging check's window. */
    ClusterStillness UNKNOWN = () -> Quiet.NONE;

    Quiet observe();

    static ClusterStillness of(KubernetesClient client) {
        return client == null ? UNKNOWN : () -> {
            try {
                return observe(client, Instant.now());
            } catch (RuntimeException e) {
                return Quiet.NONE;
            }
        };
    }

    static Quiet observe(KubernetesClient client, Instant now) {
        Instant latest = Instant.EPOCH;
        Instant names = Instant.EPOCH;
        for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
            if (ours(pod)) {
                continue;
            }
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            boolean finished = "Succeeded".equals(phase) || "Failed".equals(phase);
            // A pod that will not become Ready by waiting (crash loop, failing readiness probe) is
            // settled too; its restarts still count as changes below.
            if (pod.getMetadata().getDeletionTimestamp() != null || !finished && !Objects.ready(pod) && Objects.stuck(pod) == null) {
                return Quiet.NONE;
            }
            latest = later(latest, changed(pod.getMetadata()));
        }
        Map<String, Service> services = new HashMap<>();
        for (Service service : client.services().inAnyNamespace().list().getItems()) {
            if (ours(service)) {
                continue;
            }
            if (service.getMetadata().getDeletionTimestamp() != null) {
                return Quiet.NONE;
            }
            services.put(service.getMetadata().getNamespace() + "/" + service.getMetadata().getName(), service);
            latest = later(latest, changed(service.getMetadata()));
            names = later(names, renamed(service));
        }
        for (EndpointSlice slice : client.discovery().v1().endpointSlices().inAnyNamespace().list().getItems()) {
            if (ours(slice)) {
                continue;
            }
            if (slice.getMetadata().getDeletionTimestamp() != null) {
                return Quiet.NONE;
            }
            Instant changed = changed(slice.getMetadata());
            latest = later(latest, changed);
            // A ClusterIP Service's name resolves to its ClusterIP whatever its endpoints; only a
            // headless Service's names answer with the endpoints themselves.
            Service owner = services.get(slice.getMetadata().getNamespace() + "/" + (slice.getMetadata().getLabels() == null ? ""
                    : slice.getMetadata().getLabels().get("kubernetes.io/service-name")));
            if (owner == null || !hasClusterIp(owner)) {
                names = later(names, changed);
            }
        }
        List<Supplier<List<? extends HasMetadata>>> kinds = List.of(
                () -> client.apps().deployments().inAnyNamespace().list().getItems(),
                () -> client.apps().replicaSets().inAnyNamespace().list().getItems(),
                () -> client.apps().statefulSets().inAnyNamespace().list().getItems(),
                () -> client.apps().daemonSets().inAnyNamespace().list().getItems(),
                // The ingress controller routes by them: a new rule takes its own moment to apply.
                () -> client.network().v1().ingresses().inAnyNamespace().list().getItems());
        for (Supplier<List<? extends HasMetadata>> kind : kinds) {
            for (HasMetadata object : kind.get()) {
                if (ours(object)) {
                    continue;
                }
                if (object.getMetadata().getDeletionTimestamp() != null) {
                    return Quiet.NONE;
                }
                latest = later(latest, changed(object.getMetadata()));
            }
        }
        return new Quiet(since(latest, now), since(names, now));
    }

    /**
     * When a Service last changed what its name resolves to: its creation, and each write that set its
     * type, ClusterIP or external name (writes of ports, selector, policies or status leave its DNS
     * answer as it was). A headless or ExternalName Service's answer depends on more: any write counts.
     */
    static Instant renamed(Service service) {
        ObjectMeta meta = service.getMetadata();
        if (!hasClusterIp(service)) {
            return changed(meta);
        }
        // The spec fields a ClusterIP Service's answer depends on: whether it has one, and which.
        Set<String> dnsFields = Set.of("f:type", "f:clusterIP", "f:clusterIPs", "f:externalName");
        Instant latest = parse(meta.getCreationTimestamp());
        if (meta.getManagedFields() != null) {
            for (ManagedFieldsEntry entry : meta.getManagedFields()) {
                // No field set recorded: what it wrote is unknown, so it counts.
                Object spec = entry.getFieldsV1() == null ? null : entry.getFieldsV1().getAdditionalProperties().get("f:spec");
                if (entry.getFieldsV1() == null
                        || spec instanceof Map<?, ?> fields && fields.keySet().stream().anyMatch(dnsFields::contains)) {
                    latest = later(latest, parse(entry.getTime()));
                }
            }
        }
        return latest;
    }

    /** Whether the Service's name resolves to a ClusterIP of its own (not headless, not ExternalName). */
    private static boolean hasClusterIp(Service service) {
        var spec = service.getSpec();
        return spec != null && !"ExternalName".equals(spec.getType()) && spec.getClusterIP() != null
                && !spec.getClusterIP().isEmpty() && !"None".equals(spec.getClusterIP());
    }

    private static Duration since(Instant then, Instant now) {
        Duration d = Duration.between(then, now);
        return d.isNegative() ? Duration.ZERO : d;
    }

    private static boolean ours(HasMetadata object) {
        return SandboxBootstrap.NAMESPACE.equals(object.getMetadata().getNamespace());
    }

    /** When the object was last written: its creation or its latest managed-field time (whole seconds). */
    static Instant changed(ObjectMeta meta) {
        Instant latest = parse(meta.getCreationTimestamp());
        if (meta.getManagedFields() != null) {
            for (ManagedFieldsEntry entry : meta.getManagedFields()) {
                latest = later(latest, parse(entry.getTime()));
            }
        }
        return latest;
    }

    private static Instant parse(String timestamp) {
        return timestamp == null ? Instant.EPOCH : OffsetDateTime.parse(timestamp).toInstant();
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}

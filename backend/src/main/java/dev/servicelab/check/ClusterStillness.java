package dev.servicelab.check;

import dev.servicelab.provisioner.SandboxBootstrap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.function.Supplier;

/**
 * How long the learner's cluster has been still: nothing created or changed (by the learner or by a
 * controller), nothing being deleted, and every pod Ready or finished. A probe that keeps failing the
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
     * @param names how long ago a Service or EndpointSlice was last written: until CoreDNS's cached
     *        answers (a few seconds) have expired, a name may still resolve as it did before
     */
    record Quiet(Duration still, Duration names) {
        public static final Quiet NONE = new Quiet(Duration.ZERO, Duration.ZERO);
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
            if (pod.getMetadata().getDeletionTimestamp() != null || !finished && !Objects.ready(pod)) {
                return Quiet.NONE;
            }
            latest = later(latest, changed(pod.getMetadata()));
        }
        List<Supplier<List<? extends HasMetadata>>> kinds = List.of(
                () -> client.services().inAnyNamespace().list().getItems(),
                () -> client.discovery().v1().endpointSlices().inAnyNamespace().list().getItems(),
                () -> client.apps().deployments().inAnyNamespace().list().getItems(),
                () -> client.apps().replicaSets().inAnyNamespace().list().getItems(),
                () -> client.apps().statefulSets().inAnyNamespace().list().getItems(),
                () -> client.apps().daemonSets().inAnyNamespace().list().getItems());
        for (Supplier<List<? extends HasMetadata>> kind : kinds) {
            for (HasMetadata object : kind.get()) {
                if (ours(object)) {
                    continue;
                }
                if (object.getMetadata().getDeletionTimestamp() != null) {
                    return Quiet.NONE;
                }
                Instant changed = changed(object.getMetadata());
                latest = later(latest, changed);
                if (object instanceof io.fabric8.kubernetes.api.model.Service
                        || object instanceof io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice) {
                    names = later(names, changed);
                }
            }
        }
        return new Quiet(since(latest, now), since(names, now));
    }

    private static Duration since(Instant then, Instant now) {
        Duration d = Duration.between(then, now);
        return d.isNegative() ? Duration.ZERO : d;
    }

    private static boolean ours(HasMetadata object) {
        return SandboxBootstrap.NAMESPACE.equals(object.getMetadata().getNamespace());
    }

    /** When an object was last written: its creation or the newest time in its managed fields. */
    private static Instant changed(ObjectMeta meta) {
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

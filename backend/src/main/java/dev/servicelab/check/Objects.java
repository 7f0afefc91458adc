package dev.servicelab.check;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Reads objects of the kinds labs name, as plain maps, and describes pods and selectors in words. */
final class Objects {

    private static final Map<String, String> API_VERSIONS = Map.of("Service", "v1", "Pod", "v1", "Namespace", "v1",
            "ConfigMap", "v1", "Deployment", "apps/v1", "StatefulSet", "apps/v1", "EndpointSlice", "discovery.k8s.io/v1",
            "Ingress", "networking.k8s.io/v1", "NetworkPolicy", "networking.k8s.io/v1");

    private Objects() {
    }

    @SuppressWarnings("unchecked")
    static Optional<Map<String, Object>> get(KubernetesClient client, String kind, String namespace, String name) {
        var resources = client.genericKubernetesResources(API_VERSIONS.get(kind), kind);
        GenericKubernetesResource found = "Namespace".equals(kind) ? resources.withName(name).get()
                : resources.inNamespace(namespace).withName(name).get();
        return Optional.ofNullable(found).map(r -> client.getKubernetesSerialization().convertValue(r, Map.class));
    }

    static List<String> names(KubernetesClient client, String kind, String namespace) {
        var resources = client.genericKubernetesResources(API_VERSIONS.get(kind), kind);
        var list = "Namespace".equals(kind) ? resources.list() : resources.inNamespace(namespace).list();
        return list.getItems().stream().map(r -> r.getMetadata().getName()).sorted().toList();
    }

    static String selector(Map<String, String> labels) {
        return labels == null || labels.isEmpty() ? "(no selector)" : labels.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).sorted().collect(Collectors.joining(","));
    }

    static boolean ready(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getMetadata().getDeletionTimestamp() == null
                && pod.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** Why a pod is not Ready, in the words kubectl get pods would use. */
    static String why(Pod pod) {
        var status = pod.getStatus();
        if (status == null) {
            return "no status yet";
        }
        if (status.getContainerStatuses() != null) {
            for (var c : status.getContainerStatuses()) {
                if (c.getState() != null && c.getState().getWaiting() != null) {
                    return c.getState().getWaiting().getReason();
                }
                if (c.getState() != null && c.getState().getTerminated() != null) {
                    return c.getState().getTerminated().getReason();
                }
            }
        }
        return status.getPhase();
    }

    private static final java.util.Set<String> STUCK = java.util.Set.of("CrashLoopBackOff", "ImagePullBackOff",
            "ErrImagePull", "ErrImageNeverPull", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError",
            "RunContainerError");

    /**
     * Why a pod will not become Ready by waiting (it keeps crashing, its image cannot be pulled, it
     * has finished), or null when it may still become Ready.
     */
    static String stuck(Pod pod) {
        var status = pod.getStatus();
        if (status == null) {
            return null;
        }
        if ("Succeeded".equals(status.getPhase()) || "Failed".equals(status.getPhase())) {
            return status.getPhase();
        }
        if (status.getContainerStatuses() != null) {
            for (var c : status.getContainerStatuses()) {
                var state = c.getState();
                if (state != null && state.getWaiting() != null && STUCK.contains(state.getWaiting().getReason())) {
                    return state.getWaiting().getReason();
                }
                // A container that has already exited and been restarted is crash-looping, even
                // between two back-offs.
                if (state != null && state.getTerminated() != null && c.getRestartCount() != null && c.getRestartCount() > 0) {
                    return state.getTerminated().getReason();
                }
                // A command that finished by itself (exit 0) in a pod that always restarts: it will
                // finish again each time, so the container is never up long enough to be Ready.
                boolean restarts = pod.getSpec() == null || pod.getSpec().getRestartPolicy() == null
                        || "Always".equals(pod.getSpec().getRestartPolicy());
                if (restarts && state != null && state.getTerminated() != null
                        && Integer.valueOf(0).equals(state.getTerminated().getExitCode())) {
                    return "Completed: its command finished, and a container must keep running to be Ready";
                }
                String probe = readinessFailing(pod, c, java.time.Instant.now());
                if (probe != null) {
                    return probe;
                }
            }
        }
        return null;
    }

    /**
     * A running container that is still not Ready after its readiness probe has had every try it
     * gets before it counts as failing (initial delay plus period times failure threshold, k8s's
     * defaults where unset) keeps failing it: nothing but a change to the pod makes it Ready.
     */
    static String readinessFailing(Pod pod, io.fabric8.kubernetes.api.model.ContainerStatus status, java.time.Instant now) {
        if (Boolean.TRUE.equals(status.getReady()) || status.getState() == null || status.getState().getRunning() == null
                || status.getState().getRunning().getStartedAt() == null || pod.getSpec() == null) {
            return null;
        }
        var probe = pod.getSpec().getContainers().stream().filter(c -> c.getName().equals(status.getName())).findFirst()
                .map(io.fabric8.kubernetes.api.model.Container::getReadinessProbe).orElse(null);
        if (probe == null) {
            return null;
        }
        int delay = probe.getInitialDelaySeconds() == null ? 0 : probe.getInitialDelaySeconds();
        int period = probe.getPeriodSeconds() == null ? 10 : probe.getPeriodSeconds();
        int failures = probe.getFailureThreshold() == null ? 3 : probe.getFailureThreshold();
        java.time.Instant started = java.time.OffsetDateTime.parse(status.getState().getRunning().getStartedAt()).toInstant();
        long seconds = java.time.Duration.between(started, now).toSeconds();
        return seconds > delay + (long) period * failures
                ? "its readiness probe has failed for " + seconds + " s: check the probe's port and path" : null;
    }

    /**
     * The verdict when fewer pods matching a selector are Ready than a check wants: converging
     * ("waiting for 2 of 3 pods to become Ready…") while the namespace's workloads are meant to
     * reach the count (the replicas of Deployments, StatefulSets and ReplicaSets of their own whose
     * pod template the selector matches, a rollout still in progress, or pods that may still become
     * Ready), and definitively wrong when waiting cannot reach it (nothing would make those pods, too
     * few replicas, pods that keep crashing).
     */
    static Outcome shortOfReady(KubernetesClient client, String namespace, Map<String, String> selector, List<Pod> matching,
            long ready, Counts counts, String message) {
        long replicas = 0;
        boolean rolling = false;
        for (var d : client.apps().deployments().inNamespace(namespace).list().getItems()) {
            if (matches(selector, d.getSpec().getTemplate().getMetadata())) {
                replicas += d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
                rolling |= behind(d.getMetadata(), d.getStatus() == null ? null : d.getStatus().getObservedGeneration());
            }
        }
        for (var s : client.apps().statefulSets().inNamespace(namespace).list().getItems()) {
            if (matches(selector, s.getSpec().getTemplate().getMetadata())) {
                replicas += s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
                rolling |= behind(s.getMetadata(), s.getStatus() == null ? null : s.getStatus().getObservedGeneration());
            }
        }
        for (var r : client.apps().replicaSets().inNamespace(namespace).list().getItems()) {
            boolean own = r.getMetadata().getOwnerReferences() == null || r.getMetadata().getOwnerReferences().isEmpty();
            if (own && matches(selector, r.getSpec().getTemplate().getMetadata())) {
                replicas += r.getSpec().getReplicas() == null ? 1 : r.getSpec().getReplicas();
            }
        }
        long hopeful = matching.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null && stuck(p) == null).count();
        String stuck = stuckPods(matching);
        String waiting = " Waiting for pods to become Ready…";
        if (rolling) {
            return Outcome.fail(message + " A rollout is in progress." + waiting);
        }
        if (!stuck.isEmpty()) {
            return counts.met(hopeful) ? Outcome.fail(message + waiting)
                    : Outcome.wrong(message + " Waiting will not help: " + stuck + ".");
        }
        return counts.met(Math.max(replicas, hopeful)) ? Outcome.fail(message + waiting) : Outcome.wrong(message);
    }

    /**
     * The container ports of the pods matching a selector and of the pod templates of the
     * Deployments and StatefulSets that make such pods.
     */
    static List<io.fabric8.kubernetes.api.model.ContainerPort> containerPorts(KubernetesClient client, String namespace,
            Map<String, String> selector) {
        List<io.fabric8.kubernetes.api.model.PodSpec> specs = new java.util.ArrayList<>();
        client.pods().inNamespace(namespace).withLabels(selector).list().getItems().forEach(p -> specs.add(p.getSpec()));
        client.apps().deployments().inNamespace(namespace).list().getItems().stream()
                .filter(d -> matches(selector, d.getSpec().getTemplate().getMetadata()))
                .forEach(d -> specs.add(d.getSpec().getTemplate().getSpec()));
        client.apps().statefulSets().inNamespace(namespace).list().getItems().stream()
                .filter(d -> matches(selector, d.getSpec().getTemplate().getMetadata()))
                .forEach(d -> specs.add(d.getSpec().getTemplate().getSpec()));
        return specs.stream().filter(java.util.Objects::nonNull).flatMap(s -> s.getContainers().stream())
                .flatMap(c -> c.getPorts() == null ? java.util.stream.Stream.empty() : c.getPorts().stream()).toList();
    }

    private static boolean behind(io.fabric8.kubernetes.api.model.ObjectMeta meta, Long observedGeneration) {
        return meta.getGeneration() != null && (observedGeneration == null || observedGeneration < meta.getGeneration());
    }

    private static boolean matches(Map<String, String> selector, io.fabric8.kubernetes.api.model.ObjectMeta template) {
        Map<String, String> labels = template == null || template.getLabels() == null ? Map.of() : template.getLabels();
        return selector != null && !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
    }

    /** The pods among these that will not become Ready by waiting, with why, for a message. */
    static String stuckPods(List<Pod> pods) {
        return pods.stream().filter(p -> stuck(p) != null).map(p -> p.getMetadata().getName() + " (" + stuck(p) + ")")
                .limit(3).collect(Collectors.joining(", "));
    }

    /** Labels of the pods in a namespace, to show a learner what their selector could have matched. */
    static String podLabels(List<Pod> pods) {
        return pods.stream().map(p -> selector(p.getMetadata().getLabels())).distinct().sorted().limit(4)
                .collect(Collectors.joining("; "));
    }
}

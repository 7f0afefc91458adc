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
            "ConfigMap", "v1", "Deployment", "apps/v1", "StatefulSet", "apps/v1", "EndpointSlice", "discovery.k8s.io/v1");

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

    /** Labels of the pods in a namespace, to show a learner what their selector could have matched. */
    static String podLabels(List<Pod> pods) {
        return pods.stream().map(p -> selector(p.getMetadata().getLabels())).distinct().sorted().limit(4)
                .collect(Collectors.joining("; "));
    }
}

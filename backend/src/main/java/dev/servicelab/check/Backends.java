package dev.servicelab.check;

import dev.servicelab.provisioner.SandboxBootstrap;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a Service can have a ready endpoint, at all or on one node, now or once what is converging
 * (pods starting, a rollout, a controller making pods) has converged, decided from the API objects.
 * When none can, a probe through the Service would only confirm it: kube-proxy refuses connections
 * to a Service without endpoints, and a Local traffic policy drops them on a node without one of its
 * own. Whenever it cannot tell (no selector, node affinity, a DaemonSet), it says a pod may come.
 */
final class Backends {

    private Backends() {
    }

    /** Why no pod will serve this Service anywhere, or empty when one may. */
    static Optional<String> never(KubernetesClient client, Service service) {
        return never(client, service, null);
    }

    /**
     * Why no pod on this node will serve the Service, or empty when one may (or the node is unknown).
     * A pod not yet placed counts for every node its node selector allows.
     */
    static Optional<String> neverOn(KubernetesClient client, Service service, String role) {
        List<Node> nodes = client.nodes().withLabel(SandboxBootstrap.ROLE_LABEL, role).list().getItems();
        return nodes.size() != 1 ? Optional.empty() : never(client, service, nodes.get(0));
    }

    private static Optional<String> never(KubernetesClient client, Service service, Node node) {
        Map<String, String> selector = service.getSpec().getSelector();
        if (selector == null || selector.isEmpty()) {
            return Optional.empty(); // hand-made endpoints: nothing to reason from
        }
        String namespace = service.getMetadata().getNamespace();
        List<Pod> pods = client.pods().inNamespace(namespace).withLabels(selector).list().getItems();
        List<String> elsewhere = new ArrayList<>();
        for (Pod pod : pods) {
            if (pod.getMetadata().getDeletionTimestamp() != null || Objects.stuck(pod) != null) {
                continue;
            }
            String on = pod.getSpec().getNodeName();
            if (node == null || (on == null ? canLand(pod.getSpec(), node) : on.equals(node.getMetadata().getName()))) {
                return Optional.empty();
            }
            elsewhere.add(pod.getMetadata().getName() + " on " + on);
        }
        List<String> workloads = new ArrayList<>();
        for (var d : client.apps().deployments().inNamespace(namespace).list().getItems()) {
            if (makes(selector, d.getSpec().getTemplate())) {
                int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
                var status = d.getStatus();
                boolean settled = status != null && !behind(d.getMetadata(), status.getObservedGeneration())
                        && equal(status.getReplicas(), replicas) && equal(status.getUpdatedReplicas(), replicas);
                if (coming(replicas, settled, d.getSpec().getTemplate(), node)) {
                    return Optional.empty();
                }
                workloads.add("Deployment " + d.getMetadata().getName() + " (" + replicas + " replica(s))");
            }
        }
        for (var s : client.apps().statefulSets().inNamespace(namespace).list().getItems()) {
            if (makes(selector, s.getSpec().getTemplate())) {
                int replicas = s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
                var status = s.getStatus();
                boolean settled = status != null && !behind(s.getMetadata(), status.getObservedGeneration())
                        && equal(status.getReplicas(), replicas) && equal(status.getUpdatedReplicas(), replicas);
                if (coming(replicas, settled, s.getSpec().getTemplate(), node)) {
                    return Optional.empty();
                }
                workloads.add("StatefulSet " + s.getMetadata().getName() + " (" + replicas + " replica(s))");
            }
        }
        for (var r : client.apps().replicaSets().inNamespace(namespace).list().getItems()) {
            boolean own = r.getMetadata().getOwnerReferences() == null || r.getMetadata().getOwnerReferences().isEmpty();
            if (own && makes(selector, r.getSpec().getTemplate())) {
                int replicas = r.getSpec().getReplicas() == null ? 1 : r.getSpec().getReplicas();
                boolean settled = r.getStatus() != null && !behind(r.getMetadata(), r.getStatus().getObservedGeneration())
                        && equal(r.getStatus().getReplicas(), replicas);
                if (coming(replicas, settled, r.getSpec().getTemplate(), node)) {
                    return Optional.empty();
                }
                workloads.add("ReplicaSet " + r.getMetadata().getName() + " (" + replicas + " replica(s))");
            }
        }
        if (client.apps().daemonSets().inNamespace(namespace).list().getItems().stream()
                .anyMatch(d -> makes(selector, d.getSpec().getTemplate()))) {
            return Optional.empty();
        }
        String stuck = Objects.stuckPods(pods);
        String made = workloads.isEmpty() ? "no Deployment or StatefulSet makes such pods" : "made by " + String.join(", ", workloads);
        if (node != null) {
            return Optional.of("none of the pods Service " + service.getMetadata().getName() + " selects ("
                    + Objects.selector(selector) + ") runs on node " + node.getMetadata().getName() + ", and none can land there ("
                    + (elsewhere.isEmpty() ? "" : String.join(", ", elsewhere.subList(0, Math.min(3, elsewhere.size()))) + "; ")
                    + made + ")");
        }
        return Optional.of("Service " + service.getMetadata().getName() + " has no pod to send to, and none is coming: "
                + (stuck.isEmpty() ? "no running pod matches its selector " + Objects.selector(selector)
                        : "its pods will not become Ready (" + stuck + ")") + ", " + made);
    }

    /**
     * The rollout a Service's answers wait for, in words ("Deployment ledger is rolling out: 1 of 2
     * pods updated"), or empty when no workload whose pods it selects is still rolling out.
     */
    static Optional<String> rollout(KubernetesClient client, Service service) {
        Map<String, String> selector = service.getSpec().getSelector();
        if (selector == null || selector.isEmpty()) {
            return Optional.empty();
        }
        for (var d : client.apps().deployments().inNamespace(service.getMetadata().getNamespace()).list().getItems()) {
            if (makes(selector, d.getSpec().getTemplate())) {
                int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
                var status = d.getStatus();
                int updated = status == null || status.getUpdatedReplicas() == null ? 0 : status.getUpdatedReplicas();
                int ready = status == null || status.getReadyReplicas() == null ? 0 : status.getReadyReplicas();
                int total = status == null || status.getReplicas() == null ? 0 : status.getReplicas();
                if (behind(d.getMetadata(), status == null ? null : status.getObservedGeneration()) || updated < replicas
                        || total > replicas || ready < replicas) {
                    return Optional.of("Deployment " + d.getMetadata().getName() + " is rolling out (" + updated + " of " + replicas
                            + " pods updated, " + ready + " Ready" + (total > replicas ? ", " + (total - replicas) + " old still going" : "")
                            + ")");
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The Service a URL goes to, when its host is a Service's ClusterIP or a namespaced Service name
     * (name.namespace, name.namespace.svc[.cluster.local]) and its port one of the Service's ports.
     */
    static Optional<Service> at(KubernetesClient client, String url) {
        java.net.URI uri;
        try {
            uri = java.net.URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (uri.getHost() == null || !"http".equals(uri.getScheme())) {
            return Optional.empty();
        }
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        String host = uri.getHost();
        Service service;
        if (host.matches("[0-9.]+")) {
            service = client.services().inAnyNamespace().list().getItems().stream()
                    .filter(s -> host.equals(s.getSpec().getClusterIP())).findFirst().orElse(null);
        } else {
            String[] labels = host.split("\\.");
            boolean named = labels.length == 2 || labels.length >= 3 && "svc".equals(labels[2])
                    && (labels.length == 3 || host.endsWith(".svc.cluster.local"));
            service = named ? client.services().inNamespace(labels[1]).withName(labels[0]).get() : null;
        }
        return Optional.ofNullable(service).filter(s -> s.getSpec().getPorts() != null
                && s.getSpec().getPorts().stream().anyMatch(p -> p.getPort() != null && p.getPort() == port));
    }

    /** Whether a workload may still make a pod (for this node): a rollout, or missing pods it will make. */
    private static boolean coming(int replicas, boolean settled, PodTemplateSpec template, Node node) {
        if (replicas == 0 && settled) {
            return false;
        }
        // Its existing pods were looked at already; a workload still at work may place new ones.
        return node == null ? !settled : canLand(template.getSpec(), node);
    }

    /** Whether a pod of this spec could be placed on the node: its node name or node selector allows it. */
    static boolean canLand(PodSpec spec, Node node) {
        if (spec == null) {
            return true;
        }
        if (spec.getNodeName() != null && !spec.getNodeName().isEmpty()) {
            return spec.getNodeName().equals(node.getMetadata().getName());
        }
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        return spec.getNodeSelector() == null || labels.entrySet().containsAll(spec.getNodeSelector().entrySet());
    }

    private static boolean makes(Map<String, String> selector, PodTemplateSpec template) {
        Map<String, String> labels = template == null || template.getMetadata() == null || template.getMetadata().getLabels() == null
                ? Map.of() : template.getMetadata().getLabels();
        return labels.entrySet().containsAll(selector.entrySet());
    }

    private static boolean behind(ObjectMeta meta, Long observedGeneration) {
        return meta.getGeneration() != null && (observedGeneration == null || observedGeneration < meta.getGeneration());
    }

    private static boolean equal(Integer actual, int wanted) {
        return (actual == null ? 0 : actual) == wanted;
    }
}

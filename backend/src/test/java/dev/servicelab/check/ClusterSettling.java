package dev.servicelab.check;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;

/**
 * Waits for a learner's cluster to have done what was asked of it, as a learner's own pace allows:
 * the check bench measures a wrong answer's verdict from there, and conformance looks again from
 * there when a wrong answer was checked while its pods were still starting.
 */
final class ClusterSettling {

    /**
     * Writes to Services, EndpointSlices and workloads older than this have reached kube-proxy's
     * rules: its iptables sync runs at most once a second, and managed-field times have whole seconds.
     */
    private static final java.time.Duration KUBE_PROXY_SYNCED = java.time.Duration.ofSeconds(2);

    private ClusterSettling() {
    }

    /**
     * Waits (a minute at most) for the pods a step's setup starts: a learner answers after reading the
     * step, so a wrong answer's time is measured from a cluster that is up, not from the setup's own
     * pods starting (which a podsReady check rightly waits for).
     */
    static void awaitSetUp(KubernetesClient client) {
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofMillis(500))
                    .ignoreExceptions().until(() -> client.pods().inAnyNamespace().list().getItems().stream()
                            .filter(p -> !dev.servicelab.provisioner.SandboxBootstrap.NAMESPACE.equals(p.getMetadata().getNamespace()))
                            .allMatch(p -> Objects.ready(p) || "Succeeded".equals(p.getStatus().getPhase())
                                    || "Failed".equals(p.getStatus().getPhase()) || Objects.stuck(p) != null));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // A setup that starts a broken pod on purpose: measure from here.
        }
    }

    /**
     * Waits (a minute at most) until the cluster has carried out the learner's last change: every pod
     * Ready, finished or stuck (crash-looping, an image that cannot be pulled), nothing being deleted,
     * every rollout over or stuck on such a pod, and the last write to Services, EndpointSlices and
     * workloads old enough to be in kube-proxy's rules.
     */
    static void awaitApplied(KubernetesClient client) {
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofMillis(250))
                    .ignoreExceptions().until(() -> applied(client));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // Something the wrong answer started keeps changing: measure from here.
        }
    }

    private static boolean applied(KubernetesClient client) {
        List<io.fabric8.kubernetes.api.model.Pod> pods = client.pods().inAnyNamespace().list().getItems().stream()
                .filter(p -> !ours(p)).toList();
        boolean stuck = false;
        for (var pod : pods) {
            if (pod.getMetadata().getDeletionTimestamp() != null) {
                return false;
            }
            stuck |= Objects.stuck(pod) != null;
            if (!Objects.ready(pod) && Objects.stuck(pod) == null) {
                return false;
            }
        }
        for (var d : client.apps().deployments().inAnyNamespace().list().getItems()) {
            var status = d.getStatus();
            int wanted = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
            boolean over = status != null && status.getObservedGeneration() != null
                    && status.getObservedGeneration() >= d.getMetadata().getGeneration()
                    && java.util.Objects.equals(status.getUpdatedReplicas() == null ? 0 : status.getUpdatedReplicas(), wanted)
                    && java.util.Objects.equals(status.getReplicas() == null ? 0 : status.getReplicas(), wanted);
            if (!ours(d) && !over && !stuck) {
                return false;
            }
        }
        java.time.Instant latest = java.time.Instant.EPOCH;
        List<io.fabric8.kubernetes.api.model.HasMetadata> written = new ArrayList<>();
        written.addAll(client.services().inAnyNamespace().list().getItems());
        written.addAll(client.discovery().v1().endpointSlices().inAnyNamespace().list().getItems());
        written.addAll(client.apps().deployments().inAnyNamespace().list().getItems());
        written.addAll(client.apps().replicaSets().inAnyNamespace().list().getItems());
        written.addAll(client.apps().statefulSets().inAnyNamespace().list().getItems());
        for (var object : written) {
            if (ours(object)) {
                continue;
            }
            java.time.Instant at = ClusterStillness.changed(object.getMetadata());
            latest = at.isAfter(latest) ? at : latest;
        }
        return latest.plus(KUBE_PROXY_SYNCED).isBefore(java.time.Instant.now());
    }

    private static boolean ours(io.fabric8.kubernetes.api.model.HasMetadata object) {
        return dev.servicelab.provisioner.SandboxBootstrap.NAMESPACE.equals(object.getMetadata().getNamespace())
                || "kube-system".equals(object.getMetadata().getNamespace());
    }
}

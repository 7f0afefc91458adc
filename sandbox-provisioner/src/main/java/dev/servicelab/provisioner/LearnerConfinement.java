package dev.servicelab.provisioner;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Proves, on every sandbox before a learner gets it, that the learner is confined: a privileged pod
 * is refused (in {@code default}, and by the platform's own policy where Pod Security labels would
 * allow it, as on the public k3s image), the platform's namespace refuses the learner's writes, and
 * RBAC does not let the learner read kube-system's Secrets or the platform's pod logs. The pods and
 * the ConfigMap are server-side dry-runs as the learner; the only thing created is a namespace
 * labelled privileged for the second attempt, deleted right after. Costs a few API calls.
 */
public final class LearnerConfinement {

    public static final String LEARNER = "system:serviceaccount:" + SandboxBootstrap.NAMESPACE + ":learner";
    private static final String[] LEARNER_GROUPS = {"system:serviceaccounts",
            "system:serviceaccounts:" + SandboxBootstrap.NAMESPACE, "system:authenticated"};

    private LearnerConfinement() {
    }

    /** A client that acts as the learner's ServiceAccount (the admin may impersonate). */
    static KubernetesClient asLearner(KubernetesClient admin) {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder(admin.getConfiguration())
                .withImpersonateUsername(LEARNER).withImpersonateGroups(LEARNER_GROUPS).build()).build();
    }

    /**
     * Throws, naming every hole, unless the learner is confined within {@code settle}: the API server
     * puts admission policies just created into force asynchronously (its informers), a second or so
     * later on a quiet machine and longer on a busy one, so a hole is only final once it outlasts that.
     */
    public static void verifyWithin(KubernetesClient admin, Duration settle) {
        Instant until = Instant.now().plus(settle);
        while (true) {
            try {
                verify(admin);
                return;
            } catch (SandboxException e) {
                if (Instant.now().isAfter(until)) {
                    throw e;
                }
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SandboxException(SandboxException.Reason.START_FAILED, "Interrupted while the sandbox started");
            }
        }
    }

    /** Throws, naming every hole, unless the learner is confined. */
    public static void verify(KubernetesClient admin) {
        List<String> holes = new ArrayList<>();
        try (KubernetesClient learner = asLearner(admin)) {
            refused(holes, "a privileged pod in default", "PodSecurity|servicelab-pod-security",
                    () -> learner.pods().inNamespace("default").resource(privilegedPod()).dryRun().create());
            // A namespace labelled privileged: only the platform's own policy stands, whatever the image.
            String probe = "servicelab-confinement-" + UUID.randomUUID().toString().substring(0, 8);
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(probe)
                    .addToLabels("pod-security.kubernetes.io/enforce", "privileged")
                    // Marked as having its quota, so the namespace-limits guard (which refuses pods in a
                    // namespace still getting its limits) does not answer first: Pod Security is the question.
                    .addToLabels(SandboxBootstrap.LIMITS_LABEL, "applied").endMetadata().build()).create();
            try {
                refused(holes, "a privileged pod where Pod Security labels allow it", "servicelab-pod-security",
                        () -> learner.pods().inNamespace(probe).resource(privilegedPod()).dryRun().create());
            } finally {
                admin.namespaces().withName(probe).delete();
            }
            refused(holes, "a write in " + SandboxBootstrap.NAMESPACE, "servicelab-learner-guard",
                    () -> learner.configMaps().inNamespace(SandboxBootstrap.NAMESPACE).resource(new ConfigMapBuilder()
                            .withNewMetadata().withName("confinement").endMetadata().build()).dryRun().create());
        }
        if (canLearner(admin, "kube-system", "secrets", "", "get")) {
            holes.add("the learner may read Secrets in kube-system");
        }
        if (canLearner(admin, SandboxBootstrap.NAMESPACE, "pods", "log", "get")) {
            holes.add("the learner may read pod logs in " + SandboxBootstrap.NAMESPACE);
        }
        if (!holes.isEmpty()) {
            throw new SandboxException(SandboxException.Reason.START_FAILED, "The sandbox does not confine the learner ("
                    + String.join("; ", holes) + "), so it is not handed out. Is the ValidatingAdmissionPolicy API "
                    + "(admissionregistration.k8s.io/v1, Kubernetes 1.30+) enabled on the node image?");
        }
    }

    private static boolean canLearner(KubernetesClient admin, String namespace, String resource, String subresource,
            String verb) {
        var review = admin.authorization().v1().subjectAccessReview().create(new SubjectAccessReviewBuilder()
                .withNewSpec().withUser(LEARNER).withGroups(LEARNER_GROUPS).withNewResourceAttributes()
                .withNamespace(namespace).withResource(resource).withSubresource(subresource).withVerb(verb)
                .endResourceAttributes().endSpec().build());
        return review.getStatus() != null && Boolean.TRUE.equals(review.getStatus().getAllowed());
    }

    private static void refused(List<String> holes, String what, String expected, Runnable attempt) {
        try {
            attempt.run();
            holes.add(what + " was accepted");
        } catch (KubernetesClientException e) {
            String message = String.valueOf(e.getMessage());
            if (!Pattern.compile(expected).matcher(message).find()) {
                holes.add(what + " was refused for another reason than " + expected + ": " + message);
            }
        }
    }

    /**
     * A privileged pod that asks for little and names its limits, so that only Pod Security can refuse
     * it: a namespace's LimitRange or quota (which may arrive while the check runs) would otherwise
     * answer first, and the check could not tell whether Pod Security holds.
     */
    static Pod privilegedPod() {
        Map<String, Quantity> small = Map.of("cpu", new Quantity("50m"), "memory", new Quantity("32Mi"),
                "ephemeral-storage", new Quantity("32Mi"));
        return new PodBuilder().withNewMetadata().withName("confinement").endMetadata().withNewSpec()
                .addNewContainer().withName("c").withImage("servicelab/confinement").withNewSecurityContext()
                .withPrivileged(true).endSecurityContext().withNewResources().withRequests(small).withLimits(small)
                .endResources().endContainer().endSpec().build();
    }
}

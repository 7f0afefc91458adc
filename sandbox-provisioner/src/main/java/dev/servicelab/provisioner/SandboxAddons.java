package dev.servicelab.provisioner;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Optional parts of a sandbox that a lab asks for ({@code sandbox: {addons: [...]}} in its lab.yaml),
 * installed by the platform after {@link SandboxBootstrap#prepare} and never in warm-pool sandboxes,
 * so that sandboxes without them start as fast and stay as small as before.
 *
 * <p>{@code networkPolicy}: every node runs the kit's NetworkPolicy controller (the node command
 * drops {@code --disable-network-policy}) and the learner guard lets learners write NetworkPolicies;
 * nothing to install afterwards.
 *
 * <p>{@code ingress}: the kit's ingress controller (IngressClass {@code servicelab}, the default) in
 * {@code servicelab-system}, on the server node's port 80; its image ships in the node image as a
 * tarball that only this import loads; and the learner may then create Ingresses (the
 * {@code servicelab-ingress-guard} admission policy refuses them otherwise).
 */
public final class SandboxAddons {

    public static final String NETWORK_POLICY = "networkPolicy";
    public static final String INGRESS = "ingress";
    public static final Set<String> KNOWN = Set.of(NETWORK_POLICY, INGRESS);
    /**
     * The kit's policy controller raises this Node annotation, after each sync, to the newest
     * resourceVersion of the NetworkPolicies, Pods and Namespaces whose rules are in force on the node
     * (kit/internal/netpol: SyncedAnnotation).
     */
    public static final String NETWORK_POLICY_SYNCED = "servicelab.dev/network-policy-synced";
    /** The controller's image, as build/build.sh tags it (INGRESS_TAG in the kit's versions.env). */
    public static final String INGRESS_IMAGE = "servicelab/ingress:1";
    /** Where the kit's node image keeps it (not in images/, which every node imports at start). */
    public static final String INGRESS_TARBALL = "/var/lib/servicelab/addons/ingress.tar";
    public static final String INGRESS_GUARD = "servicelab-ingress-guard";
    public static final String INGRESS_DEPLOYMENT = "ingress";

    private SandboxAddons() {
    }

    /** Imports an image tarball into the server node's containerd (the provisioner's own exec). */
    @FunctionalInterface
    public interface ImageImport {
        void importOnServer(String tarball);
    }

    /** Refuses names the platform does not know, before a sandbox is started for them. */
    public static void validate(Collection<String> addons) {
        for (String addon : addons) {
            if (!KNOWN.contains(addon)) {
                throw new IllegalArgumentException("unknown sandbox addon '" + addon + "'; known: " + KNOWN);
            }
        }
    }

    /** Installs the addons and waits until each one serves; idempotent (a restored cluster gets them again). */
    public static void install(KubernetesClient client, Collection<String> addons, ImageImport images, Duration timeout) {
        validate(addons);
        if (addons.contains(INGRESS)) {
            images.importOnServer(INGRESS_TARBALL);
            Manifests.apply(client, SandboxBootstrap.resource("addons/ingress.yaml").replace("${INGRESS_IMAGE}", INGRESS_IMAGE),
                    SandboxBootstrap.NAMESPACE);
            client.apps().deployments().inNamespace(SandboxBootstrap.NAMESPACE).withName(INGRESS_DEPLOYMENT)
                    .waitUntilCondition(d -> d != null && d.getStatus() != null && d.getStatus().getReadyReplicas() != null
                            && d.getStatus().getReadyReplicas() > 0, timeout.toMillis(), TimeUnit.MILLISECONDS);
            // Only now that a controller serves them may the learner create Ingresses.
            client.admissionRegistration().v1().validatingAdmissionPolicyBindings().withName(INGRESS_GUARD).delete();
        }
    }
}

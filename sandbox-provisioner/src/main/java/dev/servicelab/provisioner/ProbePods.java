package dev.servicelab.provisioner;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The platform's probe pods, which run the curl and dig that in-cluster checks trust. Learners
 * cannot write in servicelab-system (the admission guard), but the checks do not rely on that
 * alone: the platform seals each probe it creates with an HMAC over the pod's uid and spec, keyed
 * by the sandbox's admin credential, which never leaves the platform. A probe that is missing,
 * being deleted, not Ready, or whose uid or spec is not what the platform sealed (deleted and
 * replaced, image changed) is deleted and created again before a check uses it. The toolbox image to
 * recreate it with is kept in a ConfigMap, sealed the same way.
 */
public final class ProbePods {

    public static final String SEAL = "servicelab.dev/seal";
    static final String IMAGE_CONFIG = "servicelab-probe";
    private static final String IMAGE_KEY = "toolboxImage";

    private ProbePods() {
    }

    public static String name(SandboxNode.Role role) {
        return "probe-" + role.label();
    }

    /** At bootstrap: records the image, creates one probe per node role, waits until they are Ready and seals them. */
    public static void install(KubernetesClient client, String toolboxImage, List<SandboxNode.Role> roles, Duration timeout) {
        client.configMaps().inNamespace(SandboxBootstrap.NAMESPACE).resource(new ConfigMapBuilder()
                .withNewMetadata().withName(IMAGE_CONFIG).addToAnnotations(SEAL, seal(client, imageMessage(toolboxImage)))
                .endMetadata().addToData(IMAGE_KEY, toolboxImage).build())
                .fieldManager("servicelab").forceConflicts().serverSideApply();
        for (SandboxNode.Role role : roles) {
            create(client, toolboxImage, role);
        }
        for (SandboxNode.Role role : roles) {
            waitAndSeal(client, role, timeout);
        }
    }

    /**
     * Before a check uses a probe: returns its name once the probe is the one the platform created,
     * recreating it first if it is not.
     */
    public static String ensure(KubernetesClient client, SandboxNode.Role role, Duration timeout) {
        Pod pod = client.pods().inNamespace(SandboxBootstrap.NAMESPACE).withName(name(role)).get();
        if (trusted(client, pod)) {
            return name(role);
        }
        if (pod != null) {
            client.pods().inNamespace(SandboxBootstrap.NAMESPACE).withName(name(role)).withGracePeriod(0).delete();
            client.pods().inNamespace(SandboxBootstrap.NAMESPACE).withName(name(role))
                    .waitUntilCondition(p -> p == null || !p.getMetadata().getUid().equals(pod.getMetadata().getUid()),
                            timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        create(client, sealedImage(client), role);
        waitAndSeal(client, role, timeout);
        return name(role);
    }

    /** Whether this pod is the Ready, sealed probe the platform created (null: there is none). */
    public static boolean trusted(KubernetesClient client, Pod pod) {
        if (pod == null || pod.getMetadata().getDeletionTimestamp() != null || !SandboxBootstrap.ready(pod)) {
            return false;
        }
        String seal = pod.getMetadata().getAnnotations() == null ? null : pod.getMetadata().getAnnotations().get(SEAL);
        return seal != null && MessageDigest.isEqual(seal.getBytes(StandardCharsets.US_ASCII),
                seal(client, podMessage(pod)).getBytes(StandardCharsets.US_ASCII));
    }

    private static void create(KubernetesClient client, String toolboxImage, SandboxNode.Role role) {
        Manifests.apply(client, SandboxBootstrap.resource("probe-pod.yaml").replace("${TOOLBOX_IMAGE}", toolboxImage)
                .replace("${ROLE}", role.label()), SandboxBootstrap.NAMESPACE);
    }

    private static void waitAndSeal(KubernetesClient client, SandboxNode.Role role, Duration timeout) {
        Pod ready = client.pods().inNamespace(SandboxBootstrap.NAMESPACE).withName(name(role))
                .waitUntilCondition(SandboxBootstrap::ready, timeout.toMillis(), TimeUnit.MILLISECONDS);
        String seal = seal(client, podMessage(ready));
        client.pods().inNamespace(SandboxBootstrap.NAMESPACE).withName(name(role))
                .edit(p -> new PodBuilder(p).editMetadata().addToAnnotations(SEAL, seal).endMetadata().build());
    }

    private static String sealedImage(KubernetesClient client) {
        ConfigMap config = client.configMaps().inNamespace(SandboxBootstrap.NAMESPACE).withName(IMAGE_CONFIG).get();
        String image = config == null || config.getData() == null ? null : config.getData().get(IMAGE_KEY);
        String seal = config == null || config.getMetadata().getAnnotations() == null ? null
                : config.getMetadata().getAnnotations().get(SEAL);
        if (image == null || seal == null || !MessageDigest.isEqual(seal.getBytes(StandardCharsets.US_ASCII),
                seal(client, imageMessage(image)).getBytes(StandardCharsets.US_ASCII))) {
            throw new SandboxException(SandboxException.Reason.START_FAILED, "This sandbox's probe configuration was "
                    + "changed by someone other than the platform, so its checks cannot be trusted. Start a fresh cluster.");
        }
        return image;
    }

    /** The pod's identity and everything it runs; the node it was scheduled to is the only part that changes later. */
    static String podMessage(Pod pod) {
        return "pod\n" + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName() + "\n"
                + pod.getMetadata().getUid() + "\n"
                + Serialization.asJson(new PodSpecBuilder(pod.getSpec()).withNodeName(null).build());
    }

    private static String imageMessage(String image) {
        return "image\n" + image;
    }

    static String seal(KubernetesClient client, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key(client.getConfiguration()), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Derived from the admin credential the platform holds (token or client key), not from the server address. */
    static byte[] key(Config config) {
        String credential = Stream.of(config.getOauthToken(), config.getAutoOAuthToken(), config.getClientKeyData(),
                config.getPassword()).filter(Objects::nonNull).collect(Collectors.joining("\n"));
        if (credential.isEmpty()) {
            throw new IllegalStateException("The sandbox client has no credential to seal probe pods with");
        }
        try {
            return MessageDigest.getInstance("SHA-256")
                    .digest(("servicelab probe seal\n" + credential).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.servicelab.provisioner;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/** Applies and deletes YAML manifests (one or many documents) in a sandbox, as kubectl would. */
public final class Manifests {

    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding", "Node",
            "PersistentVolume", "StorageClass", "CustomResourceDefinition", "ValidatingAdmissionPolicy",
            "ValidatingAdmissionPolicyBinding", "PriorityClass", "IngressClass");

    private Manifests() {
    }

    public static List<HasMetadata> parse(KubernetesClient client, String yaml) {
        return client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
    }

    /** Server-side applies every object; namespaced ones without a namespace land in {@code defaultNamespace}. */
    public static void apply(KubernetesClient client, String yaml, String defaultNamespace) {
        for (HasMetadata item : parse(client, yaml)) {
            placeIn(item, defaultNamespace);
            client.resource(item).fieldManager("servicelab").forceConflicts().serverSideApply();
        }
    }

    /** Deletes every object the manifests name, ignoring ones already gone. */
    public static void delete(KubernetesClient client, String yaml, String defaultNamespace) {
        for (HasMetadata item : parse(client, yaml)) {
            placeIn(item, defaultNamespace);
            try {
                client.resource(item).withGracePeriod(0).delete();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    throw e;
                }
            }
        }
    }

    private static void placeIn(HasMetadata item, String defaultNamespace) {
        if (!CLUSTER_SCOPED.contains(item.getKind()) && item.getMetadata().getNamespace() == null) {
            item.getMetadata().setNamespace(defaultNamespace);
        }
    }
}

package dev.servicelab.check;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.provisioner.SandboxNode;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Objects a check test puts into fabric8's CRUD mock server, in namespace "default", and the specs
 * and context checks are evaluated with. The mock runs no controllers: what a test creates is all
 * there is.
 */
record MockCluster(KubernetesClient client) {

    static final String NAMESPACE = "default";

    /** Removes what earlier tests of the class created. */
    MockCluster clean() {
        client.apps().deployments().inNamespace(NAMESPACE).delete();
        client.apps().statefulSets().inNamespace(NAMESPACE).delete();
        client.apps().replicaSets().inNamespace(NAMESPACE).delete();
        client.pods().inNamespace(NAMESPACE).delete();
        client.services().inNamespace(NAMESPACE).delete();
        client.endpoints().inNamespace(NAMESPACE).delete();
        client.discovery().v1().endpointSlices().inNamespace(NAMESPACE).delete();
        client.configMaps().inNamespace(NAMESPACE).delete();
        return this;
    }

    /** A one-node sandbox whose server node is this machine. */
    CheckContext context() {
        return new CheckContext(new Sandbox("s", "learner", "lab", "", List.of(new SandboxNode(SandboxNode.Role.SERVER,
                "c", "n", "127.0.0.1", Map.of())), Instant.now()), client);
    }

    /** The same sandbox, with the probe pods' answers scripted: the script asked for, in, the result out. */
    CheckContext probing(java.util.function.Function<String, dev.servicelab.sandbox.PodExec.Result> answer) {
        CheckContext real = context();
        return new CheckContext(real.sandbox(), client, ClusterStillness.UNKNOWN, (node, timeout, script) -> answer.apply(script));
    }

    static CheckSpec spec(CheckType type, Object... keyValues) {
        Map<String, Object> params = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            params.put((String) keyValues[i], keyValues[i + 1]);
        }
        return new CheckSpec(type, type.yamlName(), NAMESPACE, 30, Optional.empty(), params, "test");
    }

    Service service(String name, Map<String, String> selector, int port, int targetPort) {
        return client.services().resource(new ServiceBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP("10.43.0.10").withSelector(selector).addNewPort().withName("http")
                .withPort(port).withTargetPort(new IntOrString(targetPort)).endPort().endSpec().build()).create();
    }

    Pod pod(String name, Map<String, String> labels, boolean ready) {
        return client.pods().resource(new PodBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE).withLabels(labels)
                .endMetadata().withNewSpec().addNewContainer().withName("c").withImage("servicelab/echo:1").endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("10.42.0." + Math.abs(name.hashCode() % 200 + 1)).addNewCondition()
                .withType("Ready").withStatus(ready ? "True" : "False").endCondition().endStatus().build()).create();
    }

    Deployment deployment(String name, Map<String, String> labels, int replicas) {
        return client.apps().deployments().resource(new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE)
                .endMetadata().withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(labels).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata().withNewSpec().addNewContainer().withName(name)
                .withImage("servicelab/echo:1").endContainer().endSpec().endTemplate().endSpec()
                // The controller has seen this generation: no rollout in progress.
                .withNewStatus().withObservedGeneration(1L).endStatus().build()).create();
    }

    void slice(String service, int port, String... readyAddresses) {
        var slice = new EndpointSliceBuilder().withNewMetadata().withName(service + "-x").withNamespace(NAMESPACE)
                .withLabels(Map.of("kubernetes.io/service-name", service)).endMetadata().withAddressType("IPv4");
        for (String address : readyAddresses) {
            slice.addNewEndpoint().withAddresses(address).withNewConditions().withReady(true).endConditions().endEndpoint();
        }
        client.discovery().v1().endpointSlices().resource(slice.addNewPort().withName("http").withPort(port).endPort().build()).create();
    }
}

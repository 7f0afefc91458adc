package dev.servicelab.lab;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * The check vocabulary of the lab format (labs/README.md): for each type, the keys it requires,
 * the keys it allows, and whether it runs inside the sandbox (probes retry longer by default).
 */
public enum CheckType {
    RESOURCE("resource", Set.of("kind", "name", "fields"), Set.of(), false),
    ABSENT("absent", Set.of("kind", "name"), Set.of(), false),
    PODS_READY("podsReady", Set.of("selector"), Set.of("count", "min"), false),
    SERVICE_SELECTS("serviceSelects", Set.of("service"), Set.of("count", "min"), false),
    ENDPOINTS("endpoints", Set.of("service"), Set.of("count", "min", "port"), false),
    HTTP("http", Set.of("url"), Set.of("status", "bodyContains", "fromNode"), true),
    NO_HTTP("noHttp", Set.of("url"), Set.of("fromNode"), true),
    DNS("dns", Set.of("lookup", "record"), Set.of("count", "equals", "contains", "podIPsOf", "exists"), true),
    LOAD_BALANCING("loadBalancing", Set.of("url", "requests", "minDistinctPods"), Set.of(), true),
    POD_ENV("podEnv", Set.of("selector", "variable"), Set.of("present", "equals"), true),
    EXEC("exec", Set.of("target", "command"), Set.of("outputContains", "exitCode"), true),
    EXTERNAL("external", Set.of("service", "via"), Set.of("port", "path", "node", "status", "connects"), true),
    /** Pods by label were created after (or before) another object: replaced during a step, or kept from before it. */
    POD_AGE("podAge", Set.of("selector"), Set.of("createdAfter", "createdBefore"), false),
    /** An in-cluster request times out: its packets are dropped, not refused. */
    DROPPED("dropped", Set.of("url"), Set.of("fromNode"), true),
    /** A request from outside through a node's nodePort times out: dropped, not refused. */
    EXTERNAL_DROPPED("externalDropped", Set.of("service"), Set.of("port", "node"), true),
    /** A request from outside through a node's nodePort reaches a pod that sees (or does not see) the caller's own address. */
    EXTERNAL_CLIENT_IP("externalClientIP", Set.of("service", "preserved"), Set.of("port", "node"), true),
    /** A pod's own log, as the container runtime kept it, has a line containing a text. */
    POD_LOG("podLog", Set.of("selector", "contains"), Set.of(), false),
    /** A request from outside the cluster to any URL (placeholders filled), e.g. a node's address on a Service's port. */
    OUTSIDE_HTTP("outsideHttp", Set.of("url"), Set.of("status", "bodyContains", "host"), true),
    /**
     * What the learner found in a node's kube-proxy rules (a ConfigMap's {@code chain} and
     * {@code probability}) matches the rules the platform reads from that node.
     */
    KUBE_PROXY_RULES("kubeProxyRules", Set.of("service"), Set.of("port", "node", "configMap"), true),
    /**
     * What the platform itself saw of the traffic the learner sent from the lab page's traffic panel in
     * the last {@code windowSeconds}: the requests it sent and the answers the nodes' flow observer counted
     * per pod. Nothing the learner can write.
     */
    FLOWS("flows", Set.of("service"), Set.of("via", "node", "windowSeconds", "answeredBy", "unanswered", "minConnections"), true);

    /** Ways a {@link #FLOWS} check's traffic may have reached its Service (the traffic view's names). */
    public static final Set<String> FLOW_VIAS = Set.of("clusterIP", "nodePort", "loadBalancer");

    /** What a {@link #FLOWS} check expects; at least one is required. */
    public static final Set<String> FLOW_EXPECTATIONS = Set.of("answeredBy", "unanswered", "minConnections");

    /** Keys of {@link #POD_AGE} naming the object to compare with; exactly one is required. */
    public static final Set<String> POD_AGE_REFERENCES = Set.of("createdAfter", "createdBefore");

    /** Keys every check may carry, whatever its type. */
    public static final Set<String> COMMON_KEYS = Set.of("type", "title", "namespace", "timeoutSeconds", "hint");

    public static final Set<String> KINDS = Set.of("Service", "Deployment", "StatefulSet", "Pod", "Namespace",
            "ConfigMap", "EndpointSlice", "Ingress", "NetworkPolicy");

    private final String yamlName;
    private final Set<String> required;
    private final Set<String> optional;
    private final boolean probe;

    CheckType(String yamlName, Set<String> required, Set<String> optional, boolean probe) {
        this.yamlName = yamlName;
        this.required = required;
        this.optional = optional;
        this.probe = probe;
    }

    public String yamlName() {
        return yamlName;
    }

    public Set<String> required() {
        return required;
    }

    public boolean allows(String key) {
        return COMMON_KEYS.contains(key) || required.contains(key) || optional.contains(key);
    }

    /** Probes run inside the sandbox and wait for things to converge; API checks answer at once. */
    public boolean probe() {
        return probe;
    }

    public int defaultTimeoutSeconds() {
        return probe ? 20 : 0;
    }

    public static Optional<CheckType> fromYaml(String name) {
        return Arrays.stream(values()).filter(t -> t.yamlName.equals(name)).findFirst();
    }

    public static String allNames() {
        return String.join(", ", Arrays.stream(values()).map(CheckType::yamlName).toList());
    }
}

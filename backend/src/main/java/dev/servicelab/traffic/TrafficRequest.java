package dev.servicelab.traffic;

/**
 * "Send N requests": to a Service, from the platform's probe pod through its ClusterIP
 * ({@code clientPod}), from outside through a node's nodePort ({@code nodePort}), or from outside
 * through the tunnel's external IP ({@code tunnel}). {@code port} picks a Service port by name or
 * number (the first when absent); {@code path} defaults to "/"; {@code node} ({@code server}, the default,
 * or {@code agent}) is the node whose nodePort the requests enter.
 */
public record TrafficRequest(String service, String namespace, String via, Integer count, String port, String path,
        String node) {
}

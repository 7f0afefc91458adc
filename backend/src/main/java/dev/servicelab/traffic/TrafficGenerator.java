package dev.servicelab.traffic;

import dev.servicelab.sandbox.PodExec;
import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.sandbox.SandboxHandle;
import dev.servicelab.provisioner.SandboxBootstrap;
import dev.servicelab.provisioner.SandboxNode;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Sends real requests to a learner's Service. Every request is a connection of its own
 * ("Connection: close"): kube-proxy picks a pod per connection, so a kept-alive connection would
 * show one pod answering everything and hide the load balancing the view is there to show.
 */
@Component
class TrafficGenerator {

    private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9._~/-]*");
    /** One line of curl's tally: how many requests ended with this status and curl exit code. */
    private static final Pattern CURL_LINE = Pattern.compile("^\\s*(\\d+)\\s+(\\d{3})(?:\\s+(\\d+))?\\s*$", Pattern.MULTILINE);
    /** curl's exit codes for a connection that timed out (dropped) and one that was refused. */
    private static final String CURL_TIMEOUT = "28";
    private static final String CURL_REFUSED = "7";
    /** What {@link #get} says of a connection that got no answer before its deadline. */
    static final String TIMED_OUT = "timeout";
    /** What {@link #get} says of a connection refused at once (or broken by a reset). */
    static final String NO_ANSWER = "000";

    private final TrafficProperties properties;

    TrafficGenerator(TrafficProperties properties) {
        this.properties = properties;
    }

    TrafficSummary send(SandboxHandle handle, TrafficRequest request) {
        handle.active();
        Sandbox sandbox = handle.sandbox();
        int count = request.count() == null ? 10 : request.count();
        if (count < 1 || count > properties.maxRequests()) {
            throw invalid("count must be between 1 and " + properties.maxRequests() + ".");
        }
        if (request.service() == null || request.service().isBlank()) {
            throw invalid("Name the Service to send requests to.");
        }
        String namespace = request.namespace() == null || request.namespace().isBlank() ? "default" : request.namespace();
        String via = request.via() == null ? "clientPod" : request.via();
        String path = request.path() == null || request.path().isBlank() ? "/" : request.path();
        if (!PATH.matcher(path).matches()) {
            throw invalid("path must start with / and use only letters, digits and ._~/-");
        }
        KubernetesClient client = handle.client();
        {
            Service service = client.services().inNamespace(namespace).withName(request.service()).get();
            if (service == null) {
                throw new TrafficException(HttpStatus.NOT_FOUND, "traffic-service-not-found", "No such Service",
                        "Service " + request.service() + " does not exist in namespace " + namespace + ".");
            }
            ServicePort port = port(service, request.port());
            String type = service.getSpec().getType();
            return switch (via) {
                case "clientPod" -> fromPod(client, service, port, namespace, count, path);
                case "nodePort" -> {
                    if (port.getNodePort() == null) {
                        throw impossible("Service " + request.service() + " is of type " + type
                                + " and has no nodePort; make it a NodePort (or LoadBalancer) Service.");
                    }
                    SandboxNode node = node(sandbox, request.node());
                    yield fromOutside(node.address(), port.getNodePort(), service, namespace, via, count, path)
                            .through(node.role().label());
                }
                case "tunnel" -> {
                    if (!"LoadBalancer".equals(type)) {
                        throw impossible("Service " + request.service() + " is of type " + type
                                + "; only a LoadBalancer gets an external IP from the tunnel.");
                    }
                    List<LoadBalancerIngress> ingress = service.getStatus() == null || service.getStatus().getLoadBalancer() == null
                            || service.getStatus().getLoadBalancer().getIngress() == null ? List.of()
                            : service.getStatus().getLoadBalancer().getIngress();
                    if (ingress.isEmpty() || ingress.get(0).getIp() == null) {
                        throw impossible("Service " + request.service() + " has no external IP yet: press \"Start tunnel\" first.");
                    }
                    yield fromOutside(ingress.get(0).getIp(), port.getPort(), service, namespace, via, count, path);
                }
                default -> throw invalid("via must be clientPod, nodePort or tunnel.");
            };
        }
    }

    /** The node whose nodePort the requests enter: the server unless the request names the agent. */
    private static SandboxNode node(Sandbox sandbox, String role) {
        if (role == null || role.isBlank() || "server".equals(role)) {
            return sandbox.server();
        }
        if (!"agent".equals(role)) {
            throw invalid("node must be server or agent.");
        }
        return sandbox.node(SandboxNode.Role.AGENT).orElseThrow(() -> impossible(
                "This lab's cluster has only a server node; send the requests through the server's nodePort."));
    }

    private static ServicePort port(Service service, String wanted) {
        List<ServicePort> ports = service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();
        return ports.stream().filter(p -> wanted == null || wanted.isBlank() || wanted.equals(p.getName())
                || wanted.equals(String.valueOf(p.getPort()))).findFirst()
                .orElseThrow(() -> impossible("Service " + service.getMetadata().getName() + " has no port"
                        + (wanted == null ? "" : " " + wanted) + "."));
    }

    /** From the platform's probe pod on the server node, through the ClusterIP: curl, in parallel. */
    private TrafficSummary fromPod(KubernetesClient client, Service service, ServicePort port, String namespace, int count,
            String path) {
        String clusterIp = service.getSpec().getClusterIP();
        if ("ExternalName".equals(service.getSpec().getType())) {
            throw impossible("Service " + service.getMetadata().getName() + " is an ExternalName: a DNS alias for "
                    + service.getSpec().getExternalName() + ", with no ClusterIP and no kube-proxy rules to observe.");
        }
        if (clusterIp == null || "None".equals(clusterIp)) {
            throw impossible("Service " + service.getMetadata().getName() + " is headless (clusterIP: None): clients "
                    + "reach its pods directly by their DNS records, so no Service address is in the path.");
        }
        String target = clusterIp + ":" + port.getPort();
        String separator = path.contains("?") ? "&" : "?";
        String script = "curl -s --no-progress-meter -Z --parallel-max " + properties.concurrency()
                + " -m 5 -H 'Connection: close' -o /dev/null -w '%{http_code} %{exitcode}\\n' 'http://" + target + path + separator
                + "n=[1-" + count + "]' 2>/dev/null | sort | uniq -c";
        long t0 = System.nanoTime();
        PodExec.Result result = PodExec.probe(client, SandboxNode.Role.SERVER, Duration.ofSeconds(30 + count / 50),
                "sh", "-c", script);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        if (result.exitCode() < 0) {
            throw new TrafficException(HttpStatus.BAD_GATEWAY, "traffic-client-failed", "The client pod did not run the requests",
                    "The probe pod could not send the requests: " + result.stderr());
        }
        Map<String, Integer> statuses = new TreeMap<>();
        int timedOut = 0;
        Matcher m = CURL_LINE.matcher(result.stdout());
        while (m.find()) {
            int n = Integer.parseInt(m.group(1));
            statuses.merge(m.group(2), n, Integer::sum);
            if (NO_ANSWER.equals(m.group(2)) && CURL_TIMEOUT.equals(m.group(3))) {
                timedOut += n;
            }
        }
        return summary(service, namespace, "clientPod", target, count, statuses, timedOut, millis);
    }

    /** From this server (outside the cluster), one connection per request, a few at a time. */
    private TrafficSummary fromOutside(String address, int port, Service service, String namespace, String via, int count,
            String path) {
        Map<String, Integer> statuses = new ConcurrentHashMap<>();
        AtomicInteger timedOut = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        long t0 = System.nanoTime();
        int workers = Math.min(properties.concurrency(), count);
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            for (int w = 0; w < workers; w++) {
                pool.execute(() -> {
                    int i;
                    while ((i = next.incrementAndGet()) <= count) {
                        String status = get(address, port, path, i);
                        if (TIMED_OUT.equals(status)) {
                            timedOut.incrementAndGet();
                            status = NO_ANSWER;
                        }
                        statuses.merge(status, 1, Integer::sum);
                    }
                });
            }
            pool.shutdown();
            if (!pool.awaitTermination(30 + count / 50, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.shutdownNow();
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        return summary(service, namespace, via, address + ":" + port, count, new TreeMap<>(statuses), timedOut.get(), millis);
    }

    /** The most of one answer's body that is read (and thrown away) before the connection is dropped. */
    static final int MAX_BODY = 64 * 1024;
    /** The most one request may take, connection to last byte read. */
    static final Duration REQUEST_DEADLINE = Duration.ofSeconds(5);

    /**
     * One HTTP/1.1 request on a connection of its own; the status code, "000" when the connection was
     * refused or broke, or {@link #TIMED_OUT} when it could not even connect in time (its packets dropped). The learner's pods write the answer, so at most MAX_BODY of it is read, within
     * REQUEST_DEADLINE: an endless or dripping body costs a bounded time, not a thread for good.
     */
    static String get(String address, int port, String path, int n) {
        long deadline = System.nanoTime() + REQUEST_DEADLINE.toNanos();
        try (Socket socket = new Socket()) {
            try {
                socket.connect(new InetSocketAddress(address, port), 3000);
            } catch (java.net.SocketTimeoutException e) {
                return TIMED_OUT;
            }
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            String separator = path.contains("?") ? "&" : "?";
            out.write(("GET " + path + separator + "n=" + n + " HTTP/1.1\r\nHost: " + address + ":" + port
                    + "\r\nUser-Agent: servicelab-traffic\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = in.readNBytes(12);
            String status = head.length == 12 ? new String(head, 9, 3, StandardCharsets.US_ASCII) : "000";
            // Read to the end (the server closes first), within bounds.
            byte[] buffer = new byte[8192];
            long read = 0;
            int got;
            while (read <= MAX_BODY && System.nanoTime() < deadline && (got = in.read(buffer)) >= 0) {
                read += got;
            }
            return status.matches("\\d{3}") ? status : NO_ANSWER;
        } catch (IOException e) {
            return NO_ANSWER;
        }
    }

    private static TrafficSummary summary(Service service, String namespace, String via, String target, int count,
            Map<String, Integer> statuses, int timedOut, long millis) {
        int failed = statuses.getOrDefault(NO_ANSWER, 0);
        int answered = statuses.values().stream().mapToInt(Integer::intValue).sum() - failed;
        return new TrafficSummary(service.getMetadata().getName(), namespace, via, null, target, count, answered,
                count - answered, timedOut, statuses, millis);
    }

    private static TrafficException invalid(String message) {
        return new TrafficException(HttpStatus.BAD_REQUEST, "traffic-request-invalid", "The traffic request is not valid", message);
    }

    private static TrafficException impossible(String message) {
        return new TrafficException(HttpStatus.CONFLICT, "traffic-not-possible", "These requests cannot be sent", message);
    }
}

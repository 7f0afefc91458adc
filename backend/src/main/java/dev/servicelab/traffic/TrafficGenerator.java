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
    private static final Pattern CURL_LINE = Pattern.compile("^\\s*(\\d+)\\s+(\\d{3})\\s*$", Pattern.MULTILINE);

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
                    yield fromOutside(sandbox.server().address(), port.getNodePort(), service, namespace, via, count, path);
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
                + " -m 5 -H 'Connection: close' -o /dev/null -w '%{http_code}\\n' 'http://" + target + path + separator
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
        Matcher m = CURL_LINE.matcher(result.stdout());
        while (m.find()) {
            statuses.merge(m.group(2), Integer.parseInt(m.group(1)), Integer::sum);
        }
        return summary(service, namespace, "clientPod", target, count, statuses, millis);
    }

    /** From this server (outside the cluster), one connection per request, a few at a time. */
    private TrafficSummary fromOutside(String address, int port, Service service, String namespace, String via, int count,
            String path) {
        Map<String, Integer> statuses = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        long t0 = System.nanoTime();
        int workers = Math.min(properties.concurrency(), count);
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            for (int w = 0; w < workers; w++) {
                pool.execute(() -> {
                    int i;
                    while ((i = next.incrementAndGet()) <= count) {
                        statuses.merge(get(address, port, path, i), 1, Integer::sum);
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
        return summary(service, namespace, via, address + ":" + port, count, new TreeMap<>(statuses), millis);
    }

    /** The most of one answer's body that is read (and thrown away) before the connection is dropped. */
    static final int MAX_BODY = 64 * 1024;
    /** The most one request may take, connection to last byte read. */
    static final Duration REQUEST_DEADLINE = Duration.ofSeconds(5);

    /**
     * One HTTP/1.1 request on a connection of its own; the status code, or "000" when nothing
     * answered. The learner's pods write the answer, so at most MAX_BODY of it is read, within
     * REQUEST_DEADLINE: an endless or dripping body costs a bounded time, not a thread for good.
     */
    static String get(String address, int port, String path, int n) {
        long deadline = System.nanoTime() + REQUEST_DEADLINE.toNanos();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 3000);
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
            return status.matches("\\d{3}") ? status : "000";
        } catch (IOException e) {
            return "000";
        }
    }

    private static TrafficSummary summary(Service service, String namespace, String via, String target, int count,
            Map<String, Integer> statuses, long millis) {
        int failed = statuses.getOrDefault("000", 0);
        int answered = statuses.values().stream().mapToInt(Integer::intValue).sum() - failed;
        return new TrafficSummary(service.getMetadata().getName(), namespace, via, target, count, answered,
                count - answered, statuses, millis);
    }

    private static TrafficException invalid(String message) {
        return new TrafficException(HttpStatus.BAD_REQUEST, "traffic-request-invalid", "The traffic request is not valid", message);
    }

    private static TrafficException impossible(String message) {
        return new TrafficException(HttpStatus.CONFLICT, "traffic-not-possible", "These requests cannot be sent", message);
    }
}

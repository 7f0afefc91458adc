package dev.servicelab.check;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import dev.servicelab.provisioner.SandboxBootstrap;
import dev.servicelab.provisioner.SandboxNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * {@code outsideHttp}: a request from outside the cluster, where the learner's browser would be, to
 * a URL with placeholders, e.g. {@code http://{{node.server.ip}}:8088/} for a Service's externalIPs,
 * optionally with a {@code host} header (an Ingress's host rule, as if the name resolved to the node).
 */
@Component
class OutsideHttpCheck implements Check {

    @Override
    public Set<CheckType> types() {
        return Set.of(CheckType.OUTSIDE_HTTP);
    }

    @Override
    public Outcome evaluate(CheckSpec spec, CheckContext context) {
        String url = context.fill(spec.text("url"), spec.namespace());
        String host = spec.text("host") == null ? null : context.fill(spec.text("host"), spec.namespace());
        String shown = url + (host == null ? "" : " (Host: " + host + ")");
        try {
            if (host != null) {
                Answer answer = withHost(URI.create(url), host);
                return verdict(shown, answer.status(), answer.body(), spec.text("status"), spec.text("bodyContains"));
            }
            // A client per request, so no pooled connection hides a rule that changed.
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(4)).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            return verdict(url, response.statusCode(), response.body(), spec.text("status"), spec.text("bodyContains"));
        } catch (IOException e) {
            String message = "From outside the cluster, GET " + shown + " got no answer: " + failure(e);
            if (e instanceof ConnectException) {
                URI uri = URI.create(url);
                Set<String> nodes = context.sandbox().nodes().stream().map(SandboxNode::address).collect(Collectors.toSet());
                Optional<String> never = unclaimed(context.client(), nodes, uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort());
                if (never.isPresent()) {
                    return Outcome.wrong(message + " " + never.get());
                }
            }
            return Outcome.fail(message);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.fail("Interrupted");
        }
    }

    /**
     * Why nothing will ever accept connections to this address and port, when the API says so: no
     * Service claims it (in spec.externalIPs, as a node's nodePort, as a load balancer's address), or
     * none of those that do will get a pod to send to; and no pod binds it on a node (hostPort, or
     * host networking still starting). Empty when something may still accept them.
     */
    static Optional<String> unclaimed(KubernetesClient client, Set<String> nodeAddresses, String host, int port) {
        if (host == null || !host.matches("[0-9.]+")) {
            return Optional.empty();
        }
        for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
            if (pod.getSpec() == null) {
                continue;
            }
            // The platform's own pods bind no host ports, except an addon's (the ingress controller's port 80).
            boolean starting = !SandboxBootstrap.NAMESPACE.equals(pod.getMetadata().getNamespace())
                    && Boolean.TRUE.equals(pod.getSpec().getHostNetwork()) && !Objects.ready(pod);
            boolean binds = pod.getSpec().getContainers().stream().filter(c -> c.getPorts() != null)
                    .flatMap(c -> c.getPorts().stream()).anyMatch(p -> Integer.valueOf(port).equals(p.getHostPort()));
            if (starting || binds) {
                return Optional.empty();
            }
        }
        List<Service> claims = new ArrayList<>();
        for (Service service : client.services().inAnyNamespace().list().getItems()) {
            var spec = service.getSpec();
            if (spec == null || spec.getPorts() == null) {
                continue;
            }
            boolean external = spec.getExternalIPs() != null && spec.getExternalIPs().contains(host)
                    && spec.getPorts().stream().anyMatch(p -> Integer.valueOf(port).equals(p.getPort()));
            boolean nodePort = nodeAddresses.contains(host)
                    && spec.getPorts().stream().anyMatch(p -> Integer.valueOf(port).equals(p.getNodePort()));
            boolean balancer = service.getStatus() != null && service.getStatus().getLoadBalancer() != null
                    && service.getStatus().getLoadBalancer().getIngress() != null
                    && service.getStatus().getLoadBalancer().getIngress().stream().anyMatch(i -> host.equals(i.getIp()))
                    && spec.getPorts().stream().anyMatch(p -> Integer.valueOf(port).equals(p.getPort()));
            if (external || nodePort || balancer) {
                claims.add(service);
            }
        }
        if (claims.isEmpty()) {
            return Optional.of("No Service lists " + host + " in spec.externalIPs with port " + port
                    + (nodeAddresses.contains(host) ? " or has nodePort " + port : "") + ", and no pod binds that port on a node, "
                    + "so nothing will accept it until you change that.");
        }
        List<String> unserved = new ArrayList<>();
        for (Service service : claims) {
            Optional<String> never = Backends.never(client, service);
            if (never.isEmpty()) {
                return Optional.empty();
            }
            unserved.add(never.get());
        }
        return Optional.of("Kube-proxy refuses it: " + String.join("; ", unserved) + ".");
    }

    record Answer(int status, String body) {
    }

    private static final java.util.regex.Pattern HOST = java.util.regex.Pattern.compile("[A-Za-z0-9*.-]+(:[0-9]{1,5})?");
    private static final int MAX_BODY = 64 * 1024;

    /**
     * A GET with its own Host header, as a browser sends for a name that resolves to this address
     * (name-based virtual hosting, what an Ingress routes by). Java's HttpClient refuses to set Host,
     * so this speaks HTTP/1.1 itself: one request, {@code Connection: close}, the status line and at
     * most 64 KiB of the answer within 4 s.
     */
    static Answer withHost(URI uri, String host) throws IOException {
        if (!HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("host '" + host + "' is not a host name");
        }
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        long deadline = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        try (java.net.Socket socket = new java.net.Socket()) {
            try {
                socket.connect(new java.net.InetSocketAddress(uri.getHost(), port), 3000);
            } catch (java.net.SocketTimeoutException e) {
                throw new HttpConnectTimeoutException("connect timed out");
            }
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: " + host
                    + "\r\nUser-Agent: servicelab-check\r\nAccept: */*\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            var in = socket.getInputStream();
            while (answer.size() < MAX_BODY) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    break;
                }
                socket.setSoTimeout((int) left);
                int n;
                try {
                    n = in.read(buffer);
                } catch (java.net.SocketTimeoutException e) {
                    break;
                }
                if (n < 0) {
                    break;
                }
                answer.write(buffer, 0, n);
            }
            String text = answer.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
            java.util.regex.Matcher status = java.util.regex.Pattern.compile("^HTTP/1\\.[01] ([0-9]{3})").matcher(text);
            if (!status.find()) {
                throw new java.net.ProtocolException("no HTTP answer (" + HttpCheck.abbreviate(text) + ")");
            }
            int headersEnd = text.indexOf("\r\n\r\n");
            String body = headersEnd < 0 ? "" : new String(text.substring(headersEnd + 4)
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), java.nio.charset.StandardCharsets.UTF_8);
            return new Answer(Integer.parseInt(status.group(1)), body);
        }
    }

    static String failure(IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return "the connection timed out (the packets were dropped on the way).";
        }
        if (e instanceof ConnectException) {
            return "the connection was refused: nothing on that address accepts this port, and no Service claims it.";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "." : " (" + e.getMessage() + ").");
    }

    static Outcome verdict(String url, int status, String body, String wantStatus, String bodyContains) {
        String want = wantStatus == null ? "200" : wantStatus;
        if (!want.equals(String.valueOf(status))) {
            // What answered says why (an ingress controller's 404 or 503 names the rule and the Service).
            return Outcome.fail("From outside the cluster, GET " + url + " answered " + status + ", expected " + want + "."
                    + (body == null || body.isBlank() ? "" : " It said: " + HttpCheck.abbreviate(body)));
        }
        if (bodyContains != null && !body.contains(bodyContains)) {
            return Outcome.fail("From outside the cluster, GET " + url + " answered " + status + ", but not from \"" + bodyContains
                    + "\". It said: " + HttpCheck.abbreviate(body));
        }
        return Outcome.pass("From outside the cluster, GET " + url + " answered " + status + ".");
    }
}

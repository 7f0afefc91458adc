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
 * a URL with placeholders, e.g. {@code http://{{node.server.ip}}:8088/} for a Service's externalIPs.
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
        // A client per request, so no pooled connection hides a rule that changed.
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(4)).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            return verdict(url, response.statusCode(), response.body(), spec.text("status"), spec.text("bodyContains"));
        } catch (IOException e) {
            String message = "From outside the cluster, GET " + url + " got no answer: " + failure(e);
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
            if (SandboxBootstrap.NAMESPACE.equals(pod.getMetadata().getNamespace()) || pod.getSpec() == null) {
                continue;
            }
            boolean starting = Boolean.TRUE.equals(pod.getSpec().getHostNetwork()) && !Objects.ready(pod);
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
            return Outcome.fail("From outside the cluster, GET " + url + " answered " + status + ", expected " + want + ".");
        }
        if (bodyContains != null && !body.contains(bodyContains)) {
            return Outcome.fail("From outside the cluster, GET " + url + " answered " + status + ", but not from \"" + bodyContains
                    + "\". It said: " + HttpCheck.abbreviate(body));
        }
        return Outcome.pass("From outside the cluster, GET " + url + " answered " + status + ".");
    }
}

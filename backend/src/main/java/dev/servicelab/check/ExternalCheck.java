package dev.servicelab.check;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import dev.servicelab.provisioner.SandboxNode;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * {@code external}: a request from outside the cluster, as the learner's browser would make it: to a
 * node's address on the Service's nodePort, or to the external IP the tunnel gave a LoadBalancer.
 */
@Component
class ExternalCheck implements Check {

    static final int MAX_BODY = 64 * 1024;
    static final Duration ANSWER_DEADLINE = Duration.ofSeconds(5);

    @Override
    public Set<CheckType> types() {
        return Set.of(CheckType.EXTERNAL);
    }

    @Override
    public Outcome evaluate(CheckSpec spec, CheckContext context) {
        String name = spec.text("service");
        Service service = context.service(name, spec.namespace());
        Optional<ServicePort> port = port(service, spec.text("port"));
        if (port.isEmpty()) {
            return Outcome.wrong("Service " + name + " has no port" + (spec.text("port") == null ? "" : " named " + spec.text("port")) + ".");
        }
        String type = service.getSpec().getType();
        String address;
        int target;
        String how;
        if ("loadBalancer".equals(spec.text("via"))) {
            if (!"LoadBalancer".equals(type)) {
                return Outcome.wrong("Service " + name + " is of type " + type + "; set spec.type: LoadBalancer.");
            }
            List<LoadBalancerIngress> ingress = service.getStatus() == null || service.getStatus().getLoadBalancer() == null
                    ? List.of() : service.getStatus().getLoadBalancer().getIngress();
            if (ingress == null || ingress.isEmpty()) {
                return Outcome.fail("Service " + name + "'s EXTERNAL-IP is <pending>: no cloud gives it one here. Press "
                        + "\"Start tunnel\" on the lab page (it does what minikube tunnel does), then check again.");
            }
            address = ingress.get(0).getIp() != null ? ingress.get(0).getIp() : ingress.get(0).getHostname();
            target = port.get().getPort();
            how = "the external IP " + address + ":" + target;
        } else {
            if (!"NodePort".equals(type) && !"LoadBalancer".equals(type)) {
                return Outcome.wrong("Service " + name + " is of type " + type + ", which has no nodePort; set spec.type: NodePort.");
            }
            String role = spec.text("node") == null ? "server" : spec.text("node");
            Optional<SandboxNode> node = context.node(role);
            if (node.isEmpty()) {
                return Outcome.wrong("This check needs a " + role + " node, and this sandbox has none.");
            }
            address = node.get().address();
            target = port.get().getNodePort();
            how = "the " + role + " node's port " + target + " (" + address + ":" + target + ")";
        }
        String path = spec.text("path") == null ? "/" : spec.text("path");
        boolean wantConnect = spec.text("connects") == null || Boolean.parseBoolean(spec.text("connects"));
        if (wantConnect) {
            // What the request would only confirm, after seconds of timeout: no pod will ever answer it.
            Optional<String> none = Backends.never(context.client(), service);
            if (none.isEmpty() && !"loadBalancer".equals(spec.text("via"))
                    && "Local".equals(service.getSpec().getExternalTrafficPolicy())) {
                String role = spec.text("node") == null ? "server" : spec.text("node");
                none = Backends.neverOn(context.client(), service, role).map(why -> "its externalTrafficPolicy is Local, so the "
                        + role + " node forwards only to pods on itself and drops the packets otherwise (a timeout, not a "
                        + "refusal), and " + why);
            }
            if (none.isPresent()) {
                return Outcome.wrong("From outside the cluster, " + how + " cannot answer: " + none.get() + ".");
            }
        }
        // A client per request: a pooled keep-alive connection would keep the conntrack entry (and the
        // DNAT) of an earlier request, so a policy change would go unseen. Browsers open new ones too.
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + address + ":" + target + path))
                .timeout(Duration.ofSeconds(4)).GET().build();
        // The learner's pods write the answer: read at most MAX_BODY of it, within ANSWER_DEADLINE.
        CompletableFuture<HttpResponse<BoundedBody.Body>> answer = http.sendAsync(request, info -> new BoundedBody(MAX_BODY));
        try {
            HttpResponse<BoundedBody.Body> response = answer.get(ANSWER_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            if (!wantConnect) {
                return Outcome.fail("A request from outside through " + how + " was answered (" + response.statusCode()
                        + "), but it should be dropped: with externalTrafficPolicy Local a node without a local endpoint "
                        + "does not forward.");
            }
            if (response.body().truncated()) {
                return Outcome.wrong("From outside the cluster, " + how + " answered " + response.statusCode()
                        + " with a body larger than " + MAX_BODY / 1024 + " KiB, the most a check reads; its answer did not end. "
                        + "Serve a response of a normal size.");
            }
            String want = spec.text("status") == null ? "200" : spec.text("status");
            return want.equals(String.valueOf(response.statusCode()))
                    ? Outcome.pass("From outside the cluster, " + how + " answered " + response.statusCode() + ".")
                    : Outcome.fail("From outside the cluster, " + how + " answered " + response.statusCode() + ", expected " + want + ".");
        } catch (TimeoutException e) {
            answer.cancel(true);
            return wantConnect
                    ? Outcome.fail("From outside the cluster, " + how + " did not finish its answer within "
                            + ANSWER_DEADLINE.toSeconds() + " s, the most a check waits.")
                    : Outcome.pass("From outside the cluster, " + how + " got no answer, as expected.");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return wantConnect
                    ? Outcome.fail("From outside the cluster, " + how + " did not answer (" + cause.getClass().getSimpleName()
                            + "): " + (cause instanceof java.net.http.HttpConnectTimeoutException
                                    ? "the connection timed out, so the packets were dropped on the way (a Local externalTrafficPolicy "
                                            + "on a node without a local endpoint does that)."
                                    : cause instanceof java.net.ConnectException
                                            ? "the connection was refused: kube-proxy rejects connections to a Service with no ready "
                                                    + "endpoints. Are there Ready pods behind Service " + name + "?"
                                            : "does Service " + name + "'s targetPort match the port its pods listen on?"))
                    : Outcome.pass("From outside the cluster, " + how + " got no answer, as expected.");
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            return Outcome.fail("Interrupted");
        }
    }

    private static Optional<ServicePort> port(Service service, String name) {
        return service.getSpec().getPorts().stream().filter(p -> name == null || name.equals(p.getName())
                || name.equals(String.valueOf(p.getPort()))).findFirst();
    }
}

package dev.servicelab.sandbox;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import dev.servicelab.jobs.Jobs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code minikube tunnel} does, for sandboxes: while a learner's tunnel runs, every LoadBalancer
 * Service without an external IP gets one (the server node's address, where kube-proxy answers for
 * it), and loses it again when the tunnel stops.
 */
@org.springframework.stereotype.Service
public class TunnelService {

    private static final Logger log = LoggerFactory.getLogger(TunnelService.class);

    /** A running tunnel: its sandbox and the subscription that ends the tunnel with the sandbox. */
    private record Tunnel(SandboxHandle sandbox, SandboxHandles.Subscription ending) {
    }

    private final Map<String, Tunnel> tunnels = new ConcurrentHashMap<>();

    TunnelService(Jobs jobs) {
        jobs.every("tunnels", Duration.ofSeconds(1), this::assignAll);
    }

    public void start(SandboxHandle sandbox) {
        tunnels.computeIfAbsent(sandbox.id(), id -> new Tunnel(sandbox, sandbox.whenGone(() -> tunnels.remove(id))));
        assign(sandbox);
    }

    public void stop(SandboxHandle sandbox) {
        Tunnel tunnel = tunnels.remove(sandbox.id());
        if (tunnel != null) {
            tunnel.ending().close();
        }
        KubernetesClient client = sandbox.client();
        for (Service service : loadBalancers(client)) {
            if (hasIngress(service)) {
                setIngress(client, service, List.of());
            }
        }
    }

    public boolean running(String sandboxId) {
        return tunnels.containsKey(sandboxId);
    }

    private void assignAll() {
        tunnels.values().forEach(tunnel -> {
            SandboxHandle sandbox = tunnel.sandbox();
            try {
                assign(sandbox);
            } catch (RuntimeException e) {
                log.debug("Tunnel of sandbox {}: {}", sandbox.id(), e.getMessage());
            }
        });
    }

    private void assign(SandboxHandle sandbox) {
        String address = sandbox.sandbox().server().address();
        KubernetesClient client = sandbox.client();
        for (Service service : loadBalancers(client)) {
            if (!hasIngress(service)) {
                setIngress(client, service, List.of(new io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder().withIp(address).withIpMode("VIP").build()));
                log.info("Tunnel of sandbox {}: {}/{} gets external IP {}", sandbox.id(),
                        service.getMetadata().getNamespace(), service.getMetadata().getName(), address);
            }
        }
    }

    private static List<Service> loadBalancers(KubernetesClient client) {
        return client.services().inAnyNamespace().list().getItems().stream()
                .filter(s -> "LoadBalancer".equals(s.getSpec().getType())).toList();
    }

    private static boolean hasIngress(Service service) {
        return service.getStatus() != null && service.getStatus().getLoadBalancer() != null
                && service.getStatus().getLoadBalancer().getIngress() != null
                && !service.getStatus().getLoadBalancer().getIngress().isEmpty();
    }

    private static void setIngress(KubernetesClient client, Service service, List<LoadBalancerIngress> ingress) {
        client.services().inNamespace(service.getMetadata().getNamespace()).withName(service.getMetadata().getName())
                .editStatus(s -> new ServiceBuilder(s).editOrNewStatus().editOrNewLoadBalancer().withIngress(ingress)
                        .endLoadBalancer().endStatus().build());
    }
}

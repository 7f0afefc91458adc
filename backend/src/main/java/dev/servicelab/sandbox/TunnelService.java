package dev.servicelab.sandbox;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.annotation.PreDestroy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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

    private final Map<String, Sandbox> tunnels = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "sandbox-tunnels");
        thread.setDaemon(true);
        return thread;
    });

    TunnelService() {
        scheduler.scheduleWithFixedDelay(this::assignAll, 1, 1, TimeUnit.SECONDS);
    }

    public void start(Sandbox sandbox) {
        tunnels.put(sandbox.id(), sandbox);
        assign(sandbox);
    }

    public void stop(Sandbox sandbox) {
        tunnels.remove(sandbox.id());
        try (KubernetesClient client = Kubeconfigs.client(sandbox.kubeconfig())) {
            for (Service service : loadBalancers(client)) {
                if (hasIngress(service)) {
                    setIngress(client, service, List.of());
                }
            }
        }
    }

    public boolean running(String sandboxId) {
        return tunnels.containsKey(sandboxId);
    }

    private void assignAll() {
        tunnels.values().forEach(sandbox -> {
            try {
                assign(sandbox);
            } catch (RuntimeException e) {
                log.debug("Tunnel of sandbox {}: {}", sandbox.id(), e.getMessage());
            }
        });
    }

    private void assign(Sandbox sandbox) {
        String address = sandbox.server().address();
        try (KubernetesClient client = Kubeconfigs.client(sandbox.kubeconfig())) {
            for (Service service : loadBalancers(client)) {
                if (!hasIngress(service)) {
                    setIngress(client, service, List.of(new io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder().withIp(address).withIpMode("VIP").build()));
                    log.info("Tunnel of sandbox {}: {}/{} gets external IP {}", sandbox.id(),
                            service.getMetadata().getNamespace(), service.getMetadata().getName(), address);
                }
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

    @PreDestroy
    void shutdown() {
        scheduler.shutdownNow();
    }
}

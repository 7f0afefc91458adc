package dev.servicelab.check;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/** {@code endpoints}: the Service's EndpointSlices list enough ready addresses (and the expected port). */
@Component
class EndpointsCheck implements Check {

    @Override
    public Set<CheckType> types() {
        return Set.of(CheckType.ENDPOINTS);
    }

    @Override
    public Outcome evaluate(CheckSpec spec, CheckContext context) {
        String name = spec.text("service");
        Service service = context.service(name, spec.namespace());
        List<EndpointSlice> slices = context.client().discovery().v1().endpointSlices().inNamespace(spec.namespace())
                .withLabel("kubernetes.io/service-name", name).list().getItems();
        List<String> addresses = readyAddresses(slices);
        List<String> slicePorts = slices.stream().filter(s -> s.getPorts() != null).flatMap(s -> s.getPorts().stream())
                .flatMap(p -> java.util.stream.Stream.of(String.valueOf(p.getPort()), p.getName()))
                .filter(Objects::nonNull).distinct().toList();
        if (slices.isEmpty()) {
            // Hand-written Endpoints reach EndpointSlices through the mirroring controller, which may
            // lag; read them directly, as kubectl get endpoints would.
            Endpoints legacy = context.client().endpoints().inNamespace(spec.namespace()).withName(name).get();
            if (legacy != null && legacy.getSubsets() != null) {
                addresses = legacy.getSubsets().stream().flatMap(s -> s.getAddresses() == null ? java.util.stream.Stream.empty()
                        : s.getAddresses().stream()).map(EndpointAddress::getIp).distinct().sorted().toList();
                slicePorts = legacy.getSubsets().stream().flatMap(s -> s.getPorts() == null ? java.util.stream.Stream.empty()
                        : s.getPorts().stream()).flatMap(p -> java.util.stream.Stream.of(String.valueOf(p.getPort()), p.getName()))
                        .filter(Objects::nonNull).distinct().toList();
            }
        }
        Counts counts = Counts.of(spec);
        Map<String, String> selector = service.getSpec().getSelector();
        boolean selects = selector != null && !selector.isEmpty();
        // Hand-written EndpointSlices are what they are; hand-written Endpoints reach slices through
        // the mirroring controller, and a selector's endpoints through the EndpointSlice controller.
        boolean mirrored = !selects && context.client().endpoints().inNamespace(spec.namespace()).withName(name).get() != null;
        if (!counts.met(addresses.size())) {
            String why = !selects
                    ? " It has no selector, so Kubernetes fills no endpoints for it."
                    : " Its selector " + dev.servicelab.check.Objects.selector(selector)
                            + " must match Ready pods: compare it with kubectl get pods -n " + spec.namespace() + " --show-labels.";
            String message = "Service " + name + " has " + addresses.size() + " ready endpoint address(es)"
                    + (addresses.isEmpty() ? "" : " (" + String.join(", ", addresses) + ")") + ", expected "
                    + counts.expected() + "." + why;
            if (!selects) {
                return mirrored ? Outcome.fail(message) : Outcome.wrong(message);
            }
            List<Pod> pods = context.client().pods().inNamespace(spec.namespace()).withLabels(selector).list().getItems();
            long ready = pods.stream().filter(dev.servicelab.check.Objects::ready).count();
            if (counts.met(ready)) {
                return Outcome.fail(message + " Its " + ready + " Ready pods are not published yet; waiting…");
            }
            return dev.servicelab.check.Objects.shortOfReady(context.client(), spec.namespace(), selector, pods, ready, counts,
                    message);
        }
        String port = spec.text("port");
        if (port != null && !slicePorts.contains(port)) {
            String actual = slicePorts.stream().filter(p -> p.matches("\\d+")).collect(Collectors.joining(", "));
            String message = "Service " + name + "'s endpoints use port " + (actual.isEmpty() ? "(none)" : actual)
                    + ", expected " + port + ": check the Service's targetPort (or the port of your hand-written endpoints).";
            boolean possible = selects ? couldPublish(context, service, port) : mirrored;
            return possible ? Outcome.fail(message) : Outcome.wrong(message);
        }
        return Outcome.pass("Service " + name + " has " + addresses.size() + " ready endpoint address(es): "
                + String.join(", ", addresses) + ".");
    }

    /**
     * The ready addresses the slices list. A slice of a Service whose selector matches no pod comes
     * with no endpoints list at all (null, not empty), and that is the very case learners check.
     */
    static List<String> readyAddresses(List<EndpointSlice> slices) {
        return slices.stream().filter(s -> s.getEndpoints() != null).flatMap(s -> s.getEndpoints().stream())
                .filter(e -> e.getConditions() == null || !Boolean.FALSE.equals(e.getConditions().getReady()))
                .filter(e -> e.getAddresses() != null).flatMap(e -> e.getAddresses().stream()).distinct().sorted().toList();
    }

    /**
     * Whether the Service as declared would publish the wanted port (a number or a port name) once
     * the EndpointSlice controller catches up: a numeric targetPort is that number, a named one is
     * the number of a container port of that name, in the matching pods or in the pod template of a
     * workload that makes them (a rollout that moves the port may not have made its pods yet).
     */
    private static boolean couldPublish(CheckContext context, Service service, String wanted) {
        List<ContainerPort> declared = null;
        for (ServicePort port : service.getSpec().getPorts()) {
            if (wanted.equals(port.getName())) {
                return true;
            }
            IntOrString target = port.getTargetPort() != null ? port.getTargetPort() : new IntOrString(port.getPort());
            if (target.getIntVal() != null) {
                if (wanted.equals(String.valueOf(target.getIntVal()))) {
                    return true;
                }
                continue;
            }
            if (declared == null) {
                declared = dev.servicelab.check.Objects.containerPorts(context.client(), service.getMetadata().getNamespace(),
                        service.getSpec().getSelector());
            }
            // No pod or template to resolve the name against yet: it may well be the wanted port.
            if (declared.isEmpty() || declared.stream().anyMatch(c -> target.getStrVal().equals(c.getName())
                    && wanted.equals(String.valueOf(c.getContainerPort())))) {
                return true;
            }
        }
        return false;
    }
}

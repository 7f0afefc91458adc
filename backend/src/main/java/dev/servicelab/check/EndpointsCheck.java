package dev.servicelab.check;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.List;
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
        List<String> addresses = slices.stream().flatMap(s -> s.getEndpoints().stream())
                .filter(e -> e.getConditions() == null || !Boolean.FALSE.equals(e.getConditions().getReady()))
                .flatMap(e -> e.getAddresses().stream()).distinct().sorted().toList();
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
        if (!counts.met(addresses.size())) {
            String why = service.getSpec().getSelector() == null || service.getSpec().getSelector().isEmpty()
                    ? " It has no selector, so Kubernetes fills no endpoints for it."
                    : " Its selector " + dev.servicelab.check.Objects.selector(service.getSpec().getSelector())
                            + " must match Ready pods: compare it with kubectl get pods -n " + spec.namespace() + " --show-labels.";
            return Outcome.fail("Service " + name + " has " + addresses.size() + " ready endpoint address(es)"
                    + (addresses.isEmpty() ? "" : " (" + String.join(", ", addresses) + ")") + ", expected "
                    + counts.expected() + "." + why);
        }
        String port = spec.text("port");
        if (port != null && !slicePorts.contains(port)) {
            String actual = slicePorts.stream().filter(p -> p.matches("\\d+")).collect(Collectors.joining(", "));
            return Outcome.fail("Service " + name + "'s endpoints use port " + (actual.isEmpty() ? "(none)" : actual)
                    + ", expected " + port + ": check the Service's targetPort (or the port of your hand-written endpoints).");
        }
        return Outcome.pass("Service " + name + " has " + addresses.size() + " ready endpoint address(es): "
                + String.join(", ", addresses) + ".");
    }
}

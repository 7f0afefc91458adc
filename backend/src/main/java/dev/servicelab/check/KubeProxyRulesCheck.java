package dev.servicelab.check;

import dev.servicelab.kubeproxy.KubeProxyRules;
import dev.servicelab.kubeproxy.KubeProxyRulesService;
import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * {@code kubeProxyRules}: the learner read a node's kube-proxy rules (the lab page shows them) and wrote
 * down, in a ConfigMap, the chain that a Service port's ClusterIP traffic jumps to ({@code chain}) and the
 * probability of that chain's first endpoint rule ({@code probability}). Both are compared with the rules
 * the platform reads from the node itself, so they cannot be guessed from the API alone. Mismatches are
 * "not yet": kube-proxy rewrites its rules a moment after the endpoints change.
 */
@Component
class KubeProxyRulesCheck implements Check {

    static final String CHAIN = "chain";
    static final String PROBABILITY = "probability";
    private static final double TOLERANCE = 0.005;

    private final KubeProxyRulesService rules;

    KubeProxyRulesCheck(KubeProxyRulesService rules) {
        this.rules = rules;
    }

    @Override
    public Set<CheckType> types() {
        return Set.of(CheckType.KUBE_PROXY_RULES);
    }

    @Override
    public Outcome evaluate(CheckSpec spec, CheckContext context) {
        String namespace = spec.namespace();
        String name = spec.text("service");
        Service service = context.service(name, namespace);
        List<ServicePort> ports = service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();
        String portName = spec.text("port") != null ? spec.text("port")
                : ports.isEmpty() ? null : ports.get(0).getName();
        String configMapName = Optional.ofNullable(spec.text("configMap")).orElse("findings");
        ConfigMap findings = context.client().configMaps().inNamespace(namespace).withName(configMapName).get();
        Map<String, String> data = findings == null || findings.getData() == null ? Map.of() : findings.getData();
        String record = "kubectl create configmap " + configMapName + " -n " + namespace
                + " --from-literal=chain=KUBE-SVC-… --from-literal=probability=…";
        if (findings == null) {
            return Outcome.wrong("There is no ConfigMap " + configMapName + " in " + namespace + " with what you found. "
                    + "Record it with `" + record + "`.");
        }
        if (!data.containsKey(CHAIN) || !data.containsKey(PROBABILITY)) {
            return Outcome.wrong("ConfigMap " + configMapName + " needs two keys, chain and probability; it has "
                    + (data.isEmpty() ? "none" : String.join(", ", data.keySet())) + ". Record them with `" + record + "`.");
        }
        KubeProxyRules node = rules.read(context.sandbox(), spec.text("node"));
        String portLabel = namespace + "/" + name + (portName == null || portName.isEmpty() ? "" : ":" + portName);
        Optional<String> real = node.serviceChain(namespace, name, portName);
        if (real.isEmpty()) {
            return Outcome.fail("kube-proxy on node " + node.node() + " has no ClusterIP rule for " + portLabel
                    + " yet: it writes one once the Service exists.");
        }
        String chain = data.get(CHAIN).strip();
        if (!chain.equals(real.get())) {
            Optional<String> owner = node.jumpedToBy(chain);
            return Outcome.fail("Your findings name chain " + chain + ", but that is not where " + portLabel + "'s ClusterIP "
                    + "traffic goes on node " + node.node() + (owner.map(o -> ": " + chain + " belongs to \"" + o + "\"")
                    .orElse(": no KUBE-SERVICES rule jumps to it")) + ". Find the KUBE-SERVICES rule whose comment is \""
                    + portLabel + " cluster IP\" and follow its -j.");
        }
        List<Double> probabilities = node.probabilities(chain);
        if (probabilities.isEmpty()) {
            return Outcome.fail(chain + " has no endpoint rules on node " + node.node() + " yet: it gets one per Ready endpoint.");
        }
        double found;
        try {
            found = Double.parseDouble(data.get(PROBABILITY).strip());
        } catch (NumberFormatException e) {
            return Outcome.wrong("The probability in your findings, \"" + data.get(PROBABILITY).strip() + "\", is not a "
                    + "number: write it as the rule does, e.g. 0.25.");
        }
        double first = probabilities.get(0);
        if (Math.abs(found - first) > TOLERANCE) {
            return Outcome.fail("Your findings say the first endpoint rule of " + chain + " matches with probability " + found
                    + ", but its --probability on node " + node.node() + " says otherwise. Read the first -A " + chain
                    + " rule that jumps to a KUBE-SEP chain (the last one has no probability: it takes the rest).");
        }
        return Outcome.pass("Your findings match node " + node.node() + ": " + portLabel + " goes to " + chain
                + ", whose first rule matches with probability " + String.format("%.3f", first) + " ("
                + probabilities.size() + " endpoint rule" + (probabilities.size() == 1 ? "" : "s") + ").");
    }
}

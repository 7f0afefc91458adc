package dev.servicelab.kubeproxy;

import dev.servicelab.security.CurrentAccount;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/labs/{labId}/sandbox/kube-proxy-rules")
@Tag(name = "Sandboxes", description = "The learner's own Kubernetes cluster for a lab")
class KubeProxyRulesController {

    /** A node's kube-proxy rules: its name, the rules as iptables-save prints them, and how many. */
    record RulesView(String node, int count, String rules, List<String> lines) {
        static RulesView of(KubeProxyRules rules) {
            return new RulesView(rules.node(), rules.lines().size(), rules.text(), rules.lines());
        }
    }

    private final KubeProxyRulesService rules;
    private final CurrentAccount current;

    KubeProxyRulesController(KubeProxyRulesService rules, CurrentAccount current) {
        this.rules = rules;
        this.current = current;
    }

    @GetMapping
    @Operation(summary = "kube-proxy's rules on a node of my sandbox (its NAT table's KUBE-* chains, read-only): "
            + "what my pods cannot list themselves")
    RulesView get(@PathVariable String labId, @RequestParam(defaultValue = "server") String node, Principal principal) {
        return RulesView.of(rules.forLearner(current.of(principal), labId, node));
    }
}

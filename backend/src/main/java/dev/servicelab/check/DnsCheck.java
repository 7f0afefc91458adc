package dev.servicelab.check;

import dev.servicelab.sandbox.PodExec;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.stereotype.Component;

/** {@code dns}: what cluster DNS answers for a name (A records, CNAME, SRV), seen from a probe pod. */
@Component
class DnsCheck implements Check {

    @Override
    public Set<CheckType> types() {
        return Set.of(CheckType.DNS);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Outcome evaluate(CheckSpec spec, CheckContext context) {
        String name = context.fill(spec.text("lookup"), spec.namespace());
        String record = spec.text("record").toUpperCase();
        var result = context.probe(null, Duration.ofSeconds(10),
                "dig +short +search +time=2 +tries=2 " + Shell.quote(name) + " " + record);
        if (result.truncated()) {
            return Outcome.wrong("Looking up " + name + " " + PodExec.Result.limit() + ".");
        }
        if (result.exitCode() != 0) {
            return Outcome.fail("Looking up " + name + " failed: " + result.stderr().strip() + result.stdout().strip());
        }
        List<String> answers = Arrays.stream(result.stdout().split("\n")).map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith(";")).toList();
        if ("A".equals(record)) {
            // dig follows CNAMEs and prints them first; A answers are the addresses.
            answers = answers.stream().filter(a -> a.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")).toList();
        }
        String found = answers.isEmpty() ? "no " + record + " record" : record + " " + String.join(", ", answers);
        String lookup = name + " resolves to " + found;

        if (spec.params().containsKey("exists")) {
            boolean want = Boolean.parseBoolean(spec.text("exists"));
            if (want != !answers.isEmpty()) {
                return Outcome.fail(want ? name + " has no " + record + " record." : lookup + ", but it should not resolve.");
            }
            return Outcome.pass(want ? lookup + "." : name + " does not resolve, as expected.");
        }
        if (spec.params().containsKey("count")) {
            int want = spec.integer("count").orElseThrow();
            if (answers.size() != want) {
                String hint = "A".equals(record) && answers.size() == 1 && want > 1
                        ? " One address is a Service's ClusterIP; a headless Service (clusterIP: None) returns each pod's IP."
                        : "";
                return Outcome.fail(lookup + " (" + answers.size() + " answer(s)), expected " + want + "." + hint);
            }
        }
        if (spec.params().containsKey("equals")) {
            String want = stripDot(spec.text("equals"));
            if (answers.size() != 1 || !stripDot(answers.get(0)).equals(want)) {
                return Outcome.fail(lookup + ", expected " + record + " " + want + ".");
            }
        }
        if (spec.params().containsKey("contains")) {
            String want = spec.text("contains");
            if (answers.stream().noneMatch(a -> a.contains(want))) {
                return Outcome.fail(lookup + ", expected an answer containing " + want + ".");
            }
        }
        if (spec.params().containsKey("podIPsOf")) {
            Map<String, String> selector = (Map<String, String>) (Map<?, ?>) spec.map("podIPsOf");
            Set<String> podIps = new TreeSet<>();
            context.client().pods().inNamespace(spec.namespace()).withLabels(selector).list().getItems().stream()
                    .filter(Objects::ready).forEach(p -> podIps.add(p.getStatus().getPodIP()));
            if (!new TreeSet<>(answers).equals(podIps)) {
                return Outcome.fail(lookup + ", but the Ready pods labelled " + Objects.selector(selector) + " have "
                        + (podIps.isEmpty() ? "no IPs (none is Ready)" : "IPs " + String.join(", ", podIps))
                        + ". A headless Service (clusterIP: None) answers with each Ready pod's IP.");
            }
        }
        return Outcome.pass(lookup + ".");
    }

    private static String stripDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
}

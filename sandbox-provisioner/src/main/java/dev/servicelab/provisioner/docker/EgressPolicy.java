package dev.servicelab.provisioner.docker;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the pods and nodes of one sandbox may open connections, as iptables rules that the platform
 * installs in each node container's network namespace (learners get pods, never a shell on the node,
 * so the rules are out of their reach). A sandbox reaches its own cluster: pod range, node addresses
 * and Services that kube-proxy translated. It never reaches link-local addresses (cloud metadata) or
 * the Docker network's gateway (the host, where the platform and every sandbox's API port listen);
 * private ranges (other sandboxes, the platform's container, the LAN) only inside an allow-list
 * entry; the public internet only where an allow-list entry covers it. A Service-range address that
 * kube-proxy did not translate (an unused ClusterIP, a port the Service no longer has) is refused on
 * the node instead of leaving it.
 *
 * <p>The filter table sees addresses after kube-proxy's DNAT, so a Service whose hand-made Endpoints
 * point outside the sandbox is judged by where it really goes. Allowed traffic RETURNs to the rest
 * of FORWARD and OUTPUT, so kube-proxy's own refusals (a Service without endpoints) still apply.
 *
 * @param podCidr the cluster's pod range
 * @param serviceCidr the cluster's Service range
 * @param nodeAddresses the sandbox's node addresses on its Docker network
 * @param gateways the gateway address(es) of the sandbox's Docker network
 * @param allow CIDRs the operator opens ({@code servicelab.sandbox.egress-allow}); {@code 0.0.0.0/0}
 *     means the public internet, a private range must be named itself (e.g. {@code 10.20.0.0/16})
 * @param nodeInternet whether the nodes' own processes (kubelet, containerd) may reach the public
 *     internet, e.g. to pull images from a registry; pods never get it from this
 */
public record EgressPolicy(String podCidr, String serviceCidr, List<String> nodeAddresses, List<String> gateways,
        List<String> allow, boolean nodeInternet) {

    /** Pod traffic, hooked first in FORWARD. */
    public static final String POD_CHAIN = "SERVICELAB-EGRESS";
    /** Traffic of the node's own processes, hooked first in OUTPUT. */
    public static final String NODE_CHAIN = "SERVICELAB-NODE-EGRESS";

    static final List<String> PRIVATE_RANGES = List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10");
    static final String LINK_LOCAL = "169.254.0.0/16";
    /** kube-proxy's filter chain for Services (iptables mode); jumped to only where it exists. */
    static final String KUBE_PROXY_SERVICES = "KUBE-SERVICES";

    public EgressPolicy {
        nodeAddresses = List.copyOf(nodeAddresses);
        gateways = List.copyOf(gateways);
        allow = allow.stream().map(String::strip).filter(a -> !a.isEmpty()).toList();
        for (String cidr : allow) {
            Cidr.parse(cidr); // refuse a typo at start-up, not at the first sandbox
        }
    }

    /** The rules of one chain, each as iptables arguments after {@code -A CHAIN}. */
    List<List<String>> rules(boolean forNode) {
        List<List<String>> rules = new ArrayList<>();
        rules.add(List.of("-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "RETURN"));
        if (forNode) {
            rules.add(List.of("-o", "lo", "-j", "RETURN"));
        }
        // Still a Service address here means kube-proxy did not translate it. For a Service it knows,
        // its own filter rules decide first (REJECT: no endpoints; DROP: a Local policy without a local
        // endpoint), which the labs teach apart; anything else is refused, like a closed port.
        rules.add(List.of("-d", serviceCidr, "-j", KUBE_PROXY_SERVICES));
        rules.add(List.of("-d", serviceCidr, "-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset"));
        rules.add(List.of("-d", serviceCidr, "-j", "REJECT", "--reject-with", "icmp-port-unreachable"));
        rules.add(List.of("-d", podCidr, "-j", "RETURN"));
        for (String node : nodeAddresses) {
            rules.add(List.of("-d", node + "/32", "-j", "RETURN"));
        }
        for (String gateway : gateways) {
            rules.addAll(refuse(gateway + "/32"));
        }
        rules.addAll(refuse(LINK_LOCAL));
        List<String> privateAllowed = allow.stream().filter(EgressPolicy::insidePrivateRange).toList();
        for (String cidr : privateAllowed) {
            rules.add(List.of("-d", cidr, "-j", "RETURN"));
        }
        for (String range : PRIVATE_RANGES) {
            rules.addAll(refuse(range));
        }
        if (forNode && nodeInternet) {
            return rules; // what is left is the public internet
        }
        for (String cidr : allow) {
            if (!privateAllowed.contains(cidr)) {
                rules.add(List.of("-d", cidr, "-j", "RETURN"));
            }
        }
        rules.addAll(refuse(null));
        return rules;
    }

    private static List<List<String>> refuse(String destination) {
        List<String> to = destination == null ? List.of() : List.of("-d", destination);
        List<String> tcp = new ArrayList<>(to);
        tcp.addAll(List.of("-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset"));
        List<String> other = new ArrayList<>(to);
        other.addAll(List.of("-j", "REJECT", "--reject-with", "icmp-admin-prohibited"));
        return List.of(tcp, other);
    }

    static boolean insidePrivateRange(String cidr) {
        Cidr c = Cidr.parse(cidr);
        return PRIVATE_RANGES.stream().map(Cidr::parse).anyMatch(range -> range.contains(c));
    }

    /**
     * A shell script that (re)installs both chains and hooks them first in FORWARD and OUTPUT. It is
     * idempotent: chains are flushed and refilled, old hooks removed before the new ones go first, so
     * running it again (e.g. after kube-proxy added its own hooks ahead) restores the order.
     */
    public String script() {
        StringBuilder sb = new StringBuilder("set -e\n");
        for (String chain : List.of(POD_CHAIN, NODE_CHAIN)) {
            sb.append("iptables -w -N ").append(chain).append(" 2>/dev/null || true\n");
            sb.append("iptables -w -F ").append(chain).append('\n');
            for (List<String> rule : rules(chain.equals(NODE_CHAIN))) {
                String append = "iptables -w -A " + chain + ' ' + String.join(" ", rule);
                if (rule.get(rule.size() - 1).equals(KUBE_PROXY_SERVICES)) {
                    append = "if iptables -w -n -L " + KUBE_PROXY_SERVICES + " >/dev/null 2>&1; then " + append + "; fi";
                }
                sb.append(append).append('\n');
            }
        }
        for (String[] hook : new String[][] {{"FORWARD", POD_CHAIN}, {"OUTPUT", NODE_CHAIN}}) {
            sb.append("while iptables -w -D ").append(hook[0]).append(" -j ").append(hook[1])
                    .append(" 2>/dev/null; do :; done\n");
            sb.append("iptables -w -I ").append(hook[0]).append(" 1 -j ").append(hook[1]).append('\n');
        }
        return sb.toString();
    }

    /** An IPv4 range. */
    record Cidr(long address, int bits) {

        static Cidr parse(String text) {
            String[] parts = text.split("/", -1);
            try {
                String[] octets = parts[0].split("\\.", -1);
                if (octets.length != 4 || parts.length > 2) {
                    throw new IllegalArgumentException();
                }
                long address = 0;
                for (String octet : octets) {
                    int value = Integer.parseInt(octet);
                    if (value < 0 || value > 255) {
                        throw new IllegalArgumentException();
                    }
                    address = address << 8 | value;
                }
                int bits = parts.length == 2 ? Integer.parseInt(parts[1]) : 32;
                if (bits < 0 || bits > 32) {
                    throw new IllegalArgumentException();
                }
                return new Cidr(address & mask(bits), bits);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address range: give it like "
                        + "203.0.113.0/24 (servicelab.sandbox.egress-allow)");
            }
        }

        boolean contains(Cidr other) {
            return other.bits >= bits && (other.address & mask(bits)) == address;
        }

        private static long mask(int bits) {
            return bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
        }
    }
}

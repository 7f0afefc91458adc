package dev.servicelab.grading;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import org.apache.hc.client5.http.DnsResolver;
import org.springframework.stereotype.Component;

/**
 * Where webhooks may connect. A webhook URL is chosen by an instructor (or a token), so without
 * this it would let them make the platform send requests into its own network: to loopback, the
 * cloud metadata service, private and link-local ranges. Those are refused unless the operator
 * allows a network ({@code servicelab.webhooks.allowed-networks}). A name is refused when any of its
 * addresses is, and deliveries connect only to the addresses checked here (this is the HTTP
 * client's resolver), so a name that changes its answer between check and connect gains nothing.
 */
@Component
class WebhookAddresses implements DnsResolver {

    /** The host resolves to an address webhooks may not reach. */
    static final class RefusedException extends UnknownHostException {
        RefusedException(String host, InetAddress address) {
            super("The host " + host + " resolves to " + address.getHostAddress()
                    + ", a loopback, private, link-local, metadata or otherwise internal address, which webhooks may not reach");
        }
    }

    /** A network: an address and how many leading bits of it count. */
    record Cidr(byte[] network, int prefix) {

        static Cidr parse(String cidr) {
            String[] parts = cidr.strip().split("/", 2);
            try {
                byte[] network = InetAddress.getByName(literal(parts[0])).getAddress();
                int prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : network.length * 8;
                if (prefix < 0 || prefix > network.length * 8) {
                    throw new IllegalArgumentException("prefix out of range");
                }
                return new Cidr(network, prefix);
            } catch (UnknownHostException | RuntimeException e) {
                throw new IllegalArgumentException("'" + cidr + "' is not a network in CIDR notation (like 10.1.0.0/16 or fd00::/8)", e);
            }
        }

        private static String literal(String address) {
            // Only address literals: getByName would otherwise look the name up in DNS.
            if (!address.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
                throw new IllegalArgumentException("not an address literal");
            }
            return address;
        }

        boolean contains(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            if (!Arrays.equals(bytes, 0, full, network, 0, full)) {
                return false;
            }
            int rest = prefix % 8;
            int mask = (0xff << (8 - rest)) & 0xff;
            return rest == 0 || (bytes[full] & mask) == (network[full] & mask);
        }
    }

    /** IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) need no entry: Java turns them into IPv4 addresses. */
    static final List<Cidr> REFUSED = List.of(
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
            "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
            "::/128", "::1/128", "64:ff9b::/96", "fc00::/7", "fe80::/10", "ff00::/8")
            .stream().map(Cidr::parse).toList();

    private final List<Cidr> allowed;

    WebhookAddresses(WebhookProperties properties) {
        this.allowed = properties.allowedNetworks().stream().filter(s -> !s.isBlank()).map(Cidr::parse).toList();
    }

    boolean refused(InetAddress address) {
        return REFUSED.stream().anyMatch(c -> c.contains(address)) && allowed.stream().noneMatch(c -> c.contains(address));
    }

    /** All addresses of the host, or {@link RefusedException} when any of them is refused. */
    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses = InetAddress.getAllByName(name);
        for (InetAddress address : addresses) {
            if (refused(address)) {
                throw new RefusedException(name, address);
            }
        }
        return addresses;
    }

    /** Only for authentication schemes we do not use; no reverse lookup. */
    @Override
    public String resolveCanonicalHostname(String host) {
        return host;
    }
}

package dev.servicelab.provisioner.flows;

import java.util.HashMap;
import java.util.Map;

/**
 * One line of a node's flow stream (see the kit README, "Flow stream"): a connection to a Service
 * address as conntrack saw it. {@code to} is the reply source, i.e. the endpoint kube-proxy's DNAT
 * chose. Fields a kind does not carry are null or 0.
 */
public record FlowEvent(Kind kind, long time, long id, String protocol, String source, String destination, String to,
        String result, long bytesOut, long bytesBack, long events, long overruns, long dropped) {

    public enum Kind {
        NEW, REPLY, END, STATS
    }

    /** Parses one line; null for a line of an unknown kind. The format is flat: no nesting, no escapes. */
    public static FlowEvent parse(String line) {
        Map<String, String> f = flat(line);
        Kind kind = switch (f.getOrDefault("ev", "")) {
            case "new" -> Kind.NEW;
            case "reply" -> Kind.REPLY;
            case "end" -> Kind.END;
            case "stats" -> Kind.STATS;
            default -> null;
        };
        if (kind == null) {
            return null;
        }
        return new FlowEvent(kind, num(f, "t"), num(f, "id"), f.get("p"), f.get("src"), f.get("dst"), f.get("to"),
                f.get("res"), num(f, "bo"), num(f, "br"), num(f, "events"), num(f, "overruns"), num(f, "dropped"));
    }

    /** IP of an "IP:PORT" field. */
    public static String ip(String addressPort) {
        return addressPort == null ? null : addressPort.substring(0, addressPort.lastIndexOf(':'));
    }

    /** Port of an "IP:PORT" field. */
    public static int port(String addressPort) {
        return addressPort == null ? 0 : Integer.parseInt(addressPort.substring(addressPort.lastIndexOf(':') + 1));
    }

    private static long num(Map<String, String> f, String key) {
        String v = f.get(key);
        return v == null ? 0 : Long.parseLong(v);
    }

    private static Map<String, String> flat(String line) {
        Map<String, String> out = new HashMap<>();
        int i = line.indexOf('{') + 1;
        int n = line.length();
        while (i > 0 && i < n) {
            int k0 = line.indexOf('"', i);
            if (k0 < 0) {
                break;
            }
            int k1 = line.indexOf('"', k0 + 1);
            int colon = line.indexOf(':', k1);
            if (k1 < 0 || colon < 0) {
                break;
            }
            String key = line.substring(k0 + 1, k1);
            int v = colon + 1;
            String value;
            if (v < n && line.charAt(v) == '"') {
                int end = line.indexOf('"', v + 1);
                value = line.substring(v + 1, end);
                i = end + 1;
            } else {
                int end = v;
                while (end < n && line.charAt(end) != ',' && line.charAt(end) != '}') {
                    end++;
                }
                value = line.substring(v, end).trim();
                i = end;
            }
            out.put(key, value);
            int comma = line.indexOf(',', i);
            if (comma < 0) {
                break;
            }
            i = comma + 1;
        }
        return out;
    }
}

package dev.servicelab.check;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import dev.servicelab.provisioner.SandboxNode;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * {@code externalClientIP}: a request from outside through a node's nodePort, answered by the echo
 * workload, which reports the source address it saw. The check compares that with its own end of
 * the connection: equal means the node kept the client's address (externalTrafficPolicy Local),
 * different means the node rewrote it (source NAT, as with Cluster).
 */
@Component
class ExternalClientIpCheck implements Check {

    private static final Pattern CLIENT_IP = Pattern.compile("\"clientIP\"\\s*:\\s*\"([^\"]*)\"");
    private static final int CONNECT_TIMEOUT_MS = 3000;
    private static final int READ_TIMEOUT_MS = 4000;

    /** What the pod saw and what the caller really was. */
    record Seen(String podSaw, String caller) {
    }

    @Override
    public Set<CheckType> types() {
        return Set.of(CheckType.EXTERNAL_CLIENT_IP);
    }

    @Override
    public Outcome evaluate(CheckSpec spec, CheckContext context) {
        String name = spec.text("service");
        Service service = context.service(name, spec.namespace());
        Optional<ServicePort> port = service.getSpec().getPorts().stream().filter(p -> spec.text("port") == null
                || spec.text("port").equals(p.getName()) || spec.text("port").equals(String.valueOf(p.getPort()))).findFirst();
        if (port.isEmpty() || port.get().getNodePort() == null) {
            return Outcome.fail("Service " + name + " has no nodePort (it is of type " + service.getSpec().getType()
                    + "); set spec.type: NodePort.");
        }
        String role = spec.text("node") == null ? "server" : spec.text("node");
        Optional<SandboxNode> node = context.node(role);
        if (node.isEmpty()) {
            return Outcome.fail("This check needs a " + role + " node, and this sandbox has none.");
        }
        String how = "the " + role + " node's port " + port.get().getNodePort();
        try {
            Seen seen = ask(new InetSocketAddress(node.get().address(), port.get().getNodePort()));
            return verdict(how, seen, Boolean.parseBoolean(spec.text("preserved")));
        } catch (IOException e) {
            return Outcome.fail("From outside the cluster, " + how + " did not answer (" + e.getClass().getSimpleName()
                    + "): a pod must answer before the source address it sees can be compared.");
        }
    }

    /** One plain HTTP/1.0 request on a fresh connection, so the caller's own address is known. */
    static Seen ask(InetSocketAddress target) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(target, CONNECT_TIMEOUT_MS);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /client-ip?format=json HTTP/1.0\r\nHost: " + target.getHostString() + "\r\nAccept: application/json\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            Matcher m = CLIENT_IP.matcher(answer);
            if (!m.find()) {
                throw new IOException("the answer names no clientIP: " + HttpCheck.abbreviate(answer));
            }
            return new Seen(m.group(1), socket.getLocalAddress().getHostAddress());
        }
    }

    static Outcome verdict(String how, Seen seen, boolean preserved) {
        boolean same = seen.podSaw().equals(seen.caller());
        String saw = "Through " + how + ", the pod saw the request come from " + seen.podSaw() + "; the caller was "
                + seen.caller() + ".";
        if (same == preserved) {
            return Outcome.pass(saw + (same ? " The client's address reached the pod (no source NAT)."
                    : " The node rewrote the source address (source NAT)."));
        }
        return Outcome.fail(saw + (preserved
                ? " The node rewrote the source address (source NAT), which externalTrafficPolicy Cluster does so that "
                        + "replies return through it. With Local the node sends only to its own pods and keeps the client's address."
                : " The client's address reached the pod unchanged, but with externalTrafficPolicy Cluster the node "
                        + "should rewrite it (source NAT)."));
    }
}

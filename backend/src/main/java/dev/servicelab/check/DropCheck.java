package dev.servicelab.check;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import dev.servicelab.provisioner.SandboxNode;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * {@code dropped} and {@code externalDropped}: a request gets no answer because its packets are
 * dropped, which a learner tells from a refusal by the time it takes. kube-proxy REJECTs (an
 * immediate "connection refused") when a Service has no endpoints at all, and DROPs (a timeout)
 * when a Local traffic policy finds endpoints, but none on this node; a name that does not resolve
 * is a typo. Only the drop passes, so the lesson is really verified.
 */
@Component
class DropCheck implements Check {

    private static final String CONNECT = "__servicelab_connect__";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

    /** How a connection attempt ended. */
    enum Ending { CONNECTED, REFUSED, TIMED_OUT, UNRESOLVED, OTHER }

    static final String WHY_REFUSED = "kube-proxy refuses connections to a Service that has no endpoints at all; a Local "
            + "traffic policy drops them (a timeout) only while the Service has endpoints, none of them on this node. "
            + "Is the Service's pod still Ready on the other node?";

    @Override
    public Set<CheckType> types() {
        return Set.of(CheckType.DROPPED, CheckType.EXTERNAL_DROPPED);
    }

    @Override
    public Outcome evaluate(CheckSpec spec, CheckContext context) {
        return spec.type() == CheckType.DROPPED ? inCluster(spec, context) : external(spec, context);
    }

    private static Outcome inCluster(CheckSpec spec, CheckContext context) {
        String url = context.fill(spec.text("url"), spec.namespace());
        String from = spec.text("fromNode") == null ? "" : " from the " + spec.text("fromNode") + " node";
        Optional<String> none = Backends.at(context.client(), url).flatMap(s -> Backends.never(context.client(), s));
        if (none.isPresent()) {
            return refusedForever("GET " + url + from, none.get());
        }
        var result = context.probe(spec.text("fromNode"), Duration.ofSeconds(12), "curl -sS -o /dev/null --connect-timeout "
                + CONNECT_TIMEOUT.toSeconds() + " --max-time 6 -w '" + CONNECT + "%{time_connect}' " + Shell.quote(url));
        return verdict("GET " + url + from, curlEnding(result.exitCode(), result.stdout()), result.stderr());
    }

    /** curl's exit code, and whether it ever connected (time_connect stays 0 when it did not). */
    static Ending curlEnding(int exitCode, String stdout) {
        int marker = stdout.lastIndexOf(CONNECT);
        boolean connected = marker >= 0 && !stdout.substring(marker + CONNECT.length()).strip().matches("0(\\.0*)?");
        return switch (exitCode) {
            case 0 -> Ending.CONNECTED;
            case 6 -> Ending.UNRESOLVED;
            case 7 -> Ending.REFUSED;
            case 28 -> connected ? Ending.CONNECTED : Ending.TIMED_OUT;
            default -> connected ? Ending.CONNECTED : Ending.OTHER;
        };
    }

    private static Outcome external(CheckSpec spec, CheckContext context) {
        String name = spec.text("service");
        Service service = context.service(name, spec.namespace());
        Optional<ServicePort> port = service.getSpec().getPorts().stream().filter(p -> spec.text("port") == null
                || spec.text("port").equals(p.getName()) || spec.text("port").equals(String.valueOf(p.getPort()))).findFirst();
        if (port.isEmpty() || port.get().getNodePort() == null) {
            return Outcome.fail("Service " + name + " has no nodePort" + (spec.text("port") == null ? "" : " on port " + spec.text("port"))
                    + " (it is of type " + service.getSpec().getType() + "); set spec.type: NodePort.");
        }
        String role = spec.text("node") == null ? "server" : spec.text("node");
        Optional<SandboxNode> node = context.node(role);
        if (node.isEmpty()) {
            return Outcome.fail("This check needs a " + role + " node, and this sandbox has none.");
        }
        String address = node.get().address();
        int nodePort = port.get().getNodePort();
        String how = "A connection from outside to the " + role + " node's port " + nodePort + " (" + address + ":" + nodePort + ")";
        Optional<String> none = Backends.never(context.client(), service);
        if (none.isPresent()) {
            return refusedForever(how, none.get());
        }
        return verdict(how, connect(new InetSocketAddress(address, nodePort), CONNECT_TIMEOUT), "");
    }

    /** Opens (and closes) a TCP connection: the handshake alone shows whether the node forwards. */
    static Ending connect(InetSocketAddress target, Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(target, (int) timeout.toMillis());
            return Ending.CONNECTED;
        } catch (ConnectException e) {
            return Ending.REFUSED;
        } catch (SocketTimeoutException e) {
            return Ending.TIMED_OUT;
        } catch (IOException e) {
            return Ending.OTHER;
        }
    }

    /** A Service that no pod will serve: kube-proxy refuses, so no drop can be seen, now or later. */
    static Outcome refusedForever(String what, String why) {
        return Outcome.wrong(what + " would be refused at once, not dropped: " + why + ". " + WHY_REFUSED);
    }

    static Outcome verdict(String what, Ending ending, String detail) {
        return switch (ending) {
            case TIMED_OUT -> Outcome.pass(what + " timed out without connecting: its packets were dropped, as expected.");
            case CONNECTED -> Outcome.fail(what + " connected: a pod answers this way, but the packets should be dropped here.");
            case REFUSED -> Outcome.fail(what + " was refused at once, not dropped. " + WHY_REFUSED);
            case UNRESOLVED -> Outcome.fail(what + " failed: " + Shell.UNRESOLVED + ". Check the Service's name and namespace.");
            case OTHER -> Outcome.fail(what + " failed in another way than a drop" + (detail.isBlank() ? "." : ": " + detail.strip() + "."));
        };
    }
}

package dev.servicelab.check;

import dev.servicelab.sandbox.PodExec;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * {@code http} and {@code noHttp}: a request from inside the cluster answers as expected, or does not
 * connect. What goes wrong on the way (names not resolving yet, refused connections, old pods still
 * answering) may be converging, so failures are retried; only an answer too large to read is final.
 */
@Component
class HttpCheck implements Check {

    static final String STATUS = "__servicelab_status__";
    /** Starts the message when the probe pod could not send the request at all. */
    static final String PLATFORM_FAILED = "The platform could not run ";

    @Override
    public Set<CheckType> types() {
        return Set.of(CheckType.HTTP, CheckType.NO_HTTP);
    }

    @Override
    public Outcome evaluate(CheckSpec spec, CheckContext context) {
        String url = context.fill(spec.text("url"), spec.namespace());
        String from = spec.text("fromNode") == null ? "" : " from the " + spec.text("fromNode") + " node";
        if (spec.type() == CheckType.HTTP) {
            Optional<String> none = unanswerable(context, url, spec.text("fromNode"));
            if (none.isPresent()) {
                return Outcome.wrong("GET " + url + from + " cannot be answered: " + none.get() + ".");
            }
        }
        var result = context.probe(spec.text("fromNode"), Duration.ofSeconds(10),
                "curl -sS --max-time 3 -w '\\n" + STATUS + "%{http_code}' " + Shell.quote(url));
        if (result.truncated()) {
            return Outcome.wrong("GET " + url + from + " " + PodExec.Result.limit() + " (its answer did not end): "
                    + "serve a response of a normal size.");
        }
        if (result.exitCode() < 0) {
            // The probe itself did not run (or not to the end): that proves nothing, least of all "no answer".
            return Outcome.fail(PLATFORM_FAILED + "GET " + url + from + ": " + result.stderr().strip()
                    + ". Check again in a moment.");
        }
        boolean connected = result.exitCode() == 0;
        if (spec.type() == CheckType.NO_HTTP) {
            return connected ? Outcome.fail("GET " + url + from + " was answered, but it should be dropped: "
                    + "no endpoint should be reachable this way.")
                    : Outcome.pass("GET " + url + from + " got no answer, as expected: " + Shell.curlEnding(result.exitCode(), result.stderr()) + ".");
        }
        if (!connected) {
            return Outcome.fail("GET " + url + from + " failed: " + Shell.curlFailure(result.exitCode(), result.stderr()) + "."
                    + waitingFor(context, url));
        }
        String out = result.stdout();
        int marker = out.lastIndexOf(STATUS);
        String body = marker < 0 ? out : out.substring(0, marker);
        String status = marker < 0 ? "?" : out.substring(marker + STATUS.length()).strip();
        String want = spec.text("status") == null ? "200" : spec.text("status");
        if (!want.equals(status)) {
            return Outcome.fail("GET " + url + from + " answered " + status + ", expected " + want + "." + waitingFor(context, url));
        }
        String contains = spec.text("bodyContains");
        if (contains != null && !body.contains(contains)) {
            return Outcome.fail("GET " + url + from + " answered " + status + ", but its body does not contain \""
                    + contains + "\". It said: " + abbreviate(body) + waitingFor(context, url));
        }
        return Outcome.pass("GET " + url + from + " answered " + status + ".");
    }

    /** What a failing request to a Service still waits for, when its pods are being rolled out. */
    private static String waitingFor(CheckContext context, String url) {
        return Backends.at(context.client(), url).flatMap(s -> Backends.rollout(context.client(), s))
                .map(r -> " " + r + "; checking again once it is done…").orElse("");
    }

    /**
     * Why no pod will ever answer a request to this URL from this node, when the URL goes to a Service
     * and the API says so (no pod will serve it; or, with a Local internal traffic policy, none on the
     * node the request starts from); a probe would only confirm it, after a timeout when dropped.
     */
    private static Optional<String> unanswerable(CheckContext context, String url, String fromNode) {
        Optional<io.fabric8.kubernetes.api.model.Service> service = Backends.at(context.client(), url);
        if (service.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> none = Backends.never(context.client(), service.get());
        if (none.isEmpty() && "Local".equals(service.get().getSpec().getInternalTrafficPolicy())) {
            String role = fromNode == null ? "server" : fromNode.toLowerCase(java.util.Locale.ROOT);
            none = Backends.neverOn(context.client(), service.get(), role).map(why -> "its internalTrafficPolicy is Local, so a "
                    + "request from the " + role + " node goes only to pods on that node, and " + why);
        }
        return none;
    }

    static String abbreviate(String text) {
        String flat = text.strip().replace('\n', ' ');
        return flat.length() > 160 ? flat.substring(0, 160) + "…" : flat;
    }
}

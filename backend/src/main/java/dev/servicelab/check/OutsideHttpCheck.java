package dev.servicelab.check;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * {@code outsideHttp}: a request from outside the cluster, where the learner's browser would be, to
 * a URL with placeholders, e.g. {@code http://{{node.server.ip}}:8088/} for a Service's externalIPs.
 */
@Component
class OutsideHttpCheck implements Check {

    @Override
    public Set<CheckType> types() {
        return Set.of(CheckType.OUTSIDE_HTTP);
    }

    @Override
    public Outcome evaluate(CheckSpec spec, CheckContext context) {
        String url = context.fill(spec.text("url"), spec.namespace());
        // A client per request, so no pooled connection hides a rule that changed.
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(4)).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            return verdict(url, response.statusCode(), response.body(), spec.text("status"), spec.text("bodyContains"));
        } catch (IOException e) {
            return Outcome.fail("From outside the cluster, GET " + url + " got no answer: " + failure(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.fail("Interrupted");
        }
    }

    static String failure(IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return "the connection timed out (the packets were dropped on the way).";
        }
        if (e instanceof ConnectException) {
            return "the connection was refused: nothing on that address accepts this port, and no Service claims it.";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "." : " (" + e.getMessage() + ").");
    }

    static Outcome verdict(String url, int status, String body, String wantStatus, String bodyContains) {
        String want = wantStatus == null ? "200" : wantStatus;
        if (!want.equals(String.valueOf(status))) {
            return Outcome.fail("From outside the cluster, GET " + url + " answered " + status + ", expected " + want + ".");
        }
        if (bodyContains != null && !body.contains(bodyContains)) {
            return Outcome.fail("From outside the cluster, GET " + url + " answered " + status + ", but not from \"" + bodyContains
                    + "\". It said: " + HttpCheck.abbreviate(body));
        }
        return Outcome.pass("From outside the cluster, GET " + url + " answered " + status + ".");
    }
}

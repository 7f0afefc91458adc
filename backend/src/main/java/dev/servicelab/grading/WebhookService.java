package dev.servicelab.grading;

import dev.servicelab.security.Caller;
import dev.servicelab.problem.ApiProblem;

import dev.servicelab.cohort.Cohort;
import dev.servicelab.problem.NotFoundException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import org.springframework.stereotype.Service;

/** A cohort's webhooks: registered by its instructor (or a token with webhooks:manage). */
@Service
public class WebhookService {

    /** A new webhook with its signing secret, shown this once. */
    public record Created(Webhook webhook, String secret) {
    }

    private final WebhookRepository webhooks;
    private final WebhookAddresses addresses;
    private final SecureRandom random = new SecureRandom();

    WebhookService(WebhookRepository webhooks, WebhookAddresses addresses) {
        this.webhooks = webhooks;
        this.addresses = addresses;
    }

    public Created create(Cohort cohort, Caller caller, String url) {
        URI uri;
        try {
            uri = url == null ? null : new URI(url.strip());
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                || url.length() > 2048) {
            throw ApiProblem.badRequest("invalid-webhook", "The webhook cannot be saved",
                    "Give an absolute http or https URL to POST events to, e.g. https://grader.example.edu/servicelab (it was '"
                            + url + "').");
        }
        refuseInternal(uri.getHost());
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        String secret = "whsec_" + HexFormat.of().formatHex(bytes);
        return new Created(webhooks.insert(cohort.id(), caller.account().id(), uri.toString(), secret), secret);
    }

    /**
     * Refuses now what deliveries would refuse anyway, so the instructor learns it at once. A host
     * that does not resolve yet is accepted: deliveries check it again each time.
     */
    private void refuseInternal(String host) {
        try {
            addresses.resolve(host);
        } catch (WebhookAddresses.RefusedException e) {
            throw ApiProblem.badRequest("webhook-address-refused", "The webhook's address is not allowed", e.getMessage()
                    + ". Give a URL on a public address, or ask the operator to allow that network "
                    + "(servicelab.webhooks.allowed-networks).");
        } catch (UnknownHostException e) {
            // checked again at every delivery
        }
    }

    public List<Webhook> list(Cohort cohort) {
        return webhooks.live(cohort.id());
    }

    public Webhook find(Cohort cohort, long id) {
        return webhooks.find(cohort.id(), id).orElseThrow(() -> new NotFoundException("webhook-not-found", "No such webhook",
                "Cohort " + cohort.id() + " has no webhook " + id + ". GET /api/v1/cohorts/" + cohort.id() + "/webhooks lists them."));
    }

    public void delete(Cohort cohort, long id) {
        webhooks.delete(find(cohort, id).id());
    }

    public List<Webhook.Delivery> deliveries(Cohort cohort, long id) {
        return webhooks.deliveries(find(cohort, id).id());
    }
}

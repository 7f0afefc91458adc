package dev.servicelab.grading;

import dev.servicelab.account.AccountRepository;
import dev.servicelab.cohort.Cohort;
import dev.servicelab.cohort.CohortRepository;
import dev.servicelab.lab.LabCatalogService;
import dev.servicelab.progress.LabCompletedEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns lab completions into webhook deliveries (rows, written after the progress commits) and sends
 * due deliveries on a schedule, retrying failures with exponential backoff. Because deliveries are
 * rows, a restart loses none: the next poll picks them up.
 */
@Component
class WebhookDispatcher {

    static final String LAB_COMPLETED = "lab.completed";
    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    private final WebhookRepository webhooks;
    private final CohortRepository cohorts;
    private final AccountRepository accounts;
    private final ResultsService results;
    private final LabCatalogService catalog;
    private final WebhookProperties properties;
    private final JsonMapper json;
    private final HttpClient http;

    WebhookDispatcher(WebhookRepository webhooks, CohortRepository cohorts, AccountRepository accounts, ResultsService results,
            LabCatalogService catalog, WebhookProperties properties, JsonMapper json) {
        this.webhooks = webhooks;
        this.cohorts = cohorts;
        this.accounts = accounts;
        this.results = results;
        this.catalog = catalog;
        this.properties = properties;
        this.json = json;
        this.http = HttpClient.newBuilder().connectTimeout(properties.timeout()).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @TransactionalEventListener(fallbackExecution = true)
    void labCompleted(LabCompletedEvent event) {
        for (long cohortId : cohorts.liveCohortsWith(event.accountId(), event.labId())) {
            Cohort cohort = cohorts.find(cohortId).orElseThrow();
            String key = LAB_COMPLETED + ":" + cohortId + ":" + event.accountId() + ":" + event.labId();
            webhooks.enqueue(cohortId, key, LAB_COMPLETED, payload(key, cohort, event));
        }
    }

    private String payload(String key, Cohort cohort, LabCompletedEvent event) {
        var learner = results.learner(cohort, event.username());
        var lab = learner.labs().stream().filter(l -> l.labId().equals(event.labId())).findFirst().orElseThrow();
        String displayName = accounts.findByUsername(event.username()).map(a -> a.displayName()).orElse(event.username());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", key);
        body.put("type", LAB_COMPLETED);
        body.put("occurredAt", event.completedAt().toString());
        body.put("cohort", Map.of("id", cohort.id(), "name", cohort.name()));
        body.put("learner", Map.of("username", event.username(), "displayName", displayName));
        body.put("lab", Map.of("id", event.labId(), "title", catalog.catalog().lab(event.labId()).map(l -> l.title()).orElse(event.labId())));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("score", lab.score());
        result.put("passedSteps", lab.passedSteps());
        result.put("totalSteps", lab.totalSteps());
        result.put("attempts", lab.attempts());
        result.put("startedAt", String.valueOf(lab.startedAt()));
        result.put("completedAt", String.valueOf(lab.completedAt()));
        result.put("late", lab.late());
        result.put("cohortScore", learner.score());
        body.put("result", result);
        return json.writeValueAsString(body);
    }

    @Scheduled(fixedDelayString = "${servicelab.webhooks.poll-interval:1s}", initialDelayString = "${servicelab.webhooks.poll-interval:1s}")
    void deliverDue() {
        for (WebhookRepository.Due due : webhooks.claim(properties.batchSize(), properties.timeout().multipliedBy(3))) {
            deliver(due);
        }
    }

    private void deliver(WebhookRepository.Due due) {
        byte[] body = due.payload().getBytes(StandardCharsets.UTF_8);
        int attempt = due.attempts() + 1;
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(due.url())).timeout(properties.timeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "ServiceLab-Webhooks/1")
                    .header("X-ServiceLab-Event", due.eventType())
                    .header("X-ServiceLab-Delivery", String.valueOf(due.id()))
                    .header(WebhookSignature.TIMESTAMP_HEADER, String.valueOf(Instant.now().getEpochSecond()))
                    .header(WebhookSignature.HEADER, WebhookSignature.of(due.secret(), body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 == 2) {
                webhooks.delivered(due.id(), response.statusCode());
                log.info("Webhook {} delivery {} ({}) accepted with {}", due.webhookId(), due.id(), due.eventType(), response.statusCode());
            } else {
                retryLater(due, attempt, response.statusCode(), "The receiver answered " + response.statusCode());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            retryLater(due, attempt, null, "Interrupted while sending");
        } catch (Exception e) {
            retryLater(due, attempt, null, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private void retryLater(WebhookRepository.Due due, int attempt, Integer status, String error) {
        Instant retryAt = attempt >= properties.maxAttempts() ? null : Instant.now().plus(properties.backoff(attempt));
        webhooks.failed(due.id(), status, error, retryAt);
        log.warn("Webhook {} delivery {} attempt {} failed ({}); {}", due.webhookId(), due.id(), attempt, error,
                retryAt == null ? "giving up" : "retrying at " + retryAt);
    }
}

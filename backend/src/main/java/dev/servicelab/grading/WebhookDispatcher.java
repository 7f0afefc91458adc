package dev.servicelab.grading;

import dev.servicelab.security.AccountRepository;
import dev.servicelab.cohort.Cohort;
import dev.servicelab.cohort.CohortRepository;
import dev.servicelab.catalog.LabCatalogService;
import dev.servicelab.progress.LabCompletedEvent;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;
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
 * due deliveries on a pool of its own, retrying failures with exponential backoff. Because deliveries
 * are rows, a restart loses none: the next poll picks them up. Each delivery has a connect timeout
 * and a deadline for the whole exchange, connects only to addresses {@link WebhookAddresses} allows,
 * follows no redirect, and records the receiver's status and our short reason, never its body.
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
    private final WebhookAddresses addresses;
    private final CloseableHttpClient http;
    private final ThreadPoolExecutor senders;
    private final ScheduledExecutorService deadlines;
    private final AtomicInteger inFlight = new AtomicInteger();

    WebhookDispatcher(WebhookRepository webhooks, CohortRepository cohorts, AccountRepository accounts, ResultsService results,
            LabCatalogService catalog, WebhookProperties properties, JsonMapper json, WebhookAddresses addresses) {
        this.webhooks = webhooks;
        this.cohorts = cohorts;
        this.accounts = accounts;
        this.results = results;
        this.catalog = catalog;
        this.properties = properties;
        this.json = json;
        this.addresses = addresses;
        this.http = client(properties, addresses);
        // Bounded: deliverDue never claims more than there are threads, so the queue stays short.
        this.senders = new ThreadPoolExecutor(properties.concurrency(), properties.concurrency(), 1, TimeUnit.MINUTES,
                new ArrayBlockingQueue<>(properties.concurrency()), threads("webhook-sender-"));
        this.senders.allowCoreThreadTimeOut(true);
        this.deadlines = Executors.newSingleThreadScheduledExecutor(threads("webhook-deadline-"));
    }

    private static CloseableHttpClient client(WebhookProperties properties, WebhookAddresses addresses) {
        var connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setDnsResolver(addresses)
                .setMaxConnTotal(properties.concurrency())
                .setMaxConnPerRoute(properties.concurrency())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(properties.connectTimeout()))
                        .setSocketTimeout(Timeout.of(properties.timeout())).build())
                .build();
        // No system proxy (it would be the only address checked), no redirects, no cookies, no retries of our own making.
        return HttpClients.custom().setConnectionManager(connections).disableRedirectHandling().disableAutomaticRetries()
                .disableCookieManagement().disableAuthCaching()
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(properties.timeout()))
                        .setConnectionRequestTimeout(Timeout.of(properties.timeout())).build())
                .build();
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
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

    /**
     * Runs on the scheduler that other jobs share (the dashboard's heartbeat), so it only claims as
     * many due deliveries as there are free senders and hands them over; it never waits on a
     * receiver. Whatever fails here is logged, and the next tick tries again.
     */
    @Scheduled(fixedDelayString = "${servicelab.webhooks.poll-interval:1s}", initialDelayString = "${servicelab.webhooks.poll-interval:1s}")
    void deliverDue() {
        try {
            int free = properties.concurrency() - inFlight.get();
            if (free <= 0) {
                return;
            }
            // The lease outlasts a delivery that starts at once and runs into its deadline.
            for (WebhookRepository.Due due : webhooks.claim(Math.min(free, properties.batchSize()), properties.timeout().multipliedBy(3))) {
                inFlight.incrementAndGet();
                try {
                    senders.execute(() -> {
                        try {
                            deliver(due);
                        } finally {
                            inFlight.decrementAndGet();
                        }
                    });
                } catch (RejectedExecutionException e) {
                    // Shutting down: the claim lapses after its lease and a poller sends it then.
                    inFlight.decrementAndGet();
                }
            }
        } catch (RuntimeException e) {
            log.warn("Could not look for due webhook deliveries; trying again in {}", properties.pollInterval(), e);
        }
    }

    private void deliver(WebhookRepository.Due due) {
        int attempt = due.attempts() + 1;
        try {
            Outcome outcome = send(due);
            if (outcome.status() != null && outcome.status() / 100 == 2) {
                webhooks.delivered(due.id(), outcome.status());
                log.info("Webhook {} delivery {} ({}) accepted with {}", due.webhookId(), due.id(), due.eventType(), outcome.status());
            } else {
                retryLater(due, attempt, outcome.status(), outcome.reason());
            }
        } catch (RuntimeException e) {
            // Most likely the database; the claim lapses after its lease and the delivery is tried again.
            log.warn("Webhook {} delivery {}: could not record attempt {}", due.webhookId(), due.id(), attempt, e);
        }
    }

    /** What a receiver answered: its status, or why there was none, in our words (never the receiver's body). */
    private record Outcome(Integer status, String reason) {
    }

    private Outcome send(WebhookRepository.Due due) {
        byte[] body = due.payload().getBytes(StandardCharsets.UTF_8);
        long timestamp = Instant.now().getEpochSecond();
        URI uri = URI.create(due.url());
        HttpPost post = new HttpPost(uri);
        post.setHeader("User-Agent", "ServiceLab-Webhooks/1");
        post.setHeader("X-ServiceLab-Event", due.eventType());
        post.setHeader("X-ServiceLab-Delivery", String.valueOf(due.id()));
        post.setHeader(WebhookSignature.TIMESTAMP_HEADER, String.valueOf(timestamp));
        post.setHeader(WebhookSignature.HEADER, WebhookSignature.of(due.secret(), timestamp, body));
        post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
        AtomicBoolean overdue = new AtomicBoolean();
        ScheduledFuture<?> deadline = deadlines.schedule(() -> {
            overdue.set(true);
            post.cancel();
        }, properties.timeout().toMillis(), TimeUnit.MILLISECONDS);
        try {
            // The host is checked here for a clear reason, and again by the client's resolver as it connects.
            addresses.resolve(uri.getHost());
            try (ClassicHttpResponse response = http.executeOpen(null, post, null)) {
                int status = response.getCode();
                if (status / 100 == 2) {
                    return new Outcome(status, null);
                }
                if (status / 100 == 3) {
                    return new Outcome(status, "The receiver redirected (HTTP " + status
                            + "); webhooks do not follow redirects, so register the final URL");
                }
                return new Outcome(status, "The receiver answered HTTP " + status);
            }
        } catch (WebhookAddresses.RefusedException e) {
            return new Outcome(null, e.getMessage());
        } catch (UnknownHostException e) {
            return new Outcome(null, "The host " + uri.getHost() + " does not resolve");
        } catch (ConnectTimeoutException e) {
            return new Outcome(null, "No connection within " + seconds(properties.connectTimeout()));
        } catch (HttpHostConnectException e) {
            return new Outcome(null, "The connection was refused");
        } catch (SSLException e) {
            return new Outcome(null, "The TLS handshake failed (is the receiver's certificate valid for its host?)");
        } catch (IOException | RuntimeException e) {
            if (overdue.get() || e instanceof SocketTimeoutException) {
                return new Outcome(null, "No answer within " + seconds(properties.timeout()));
            }
            return new Outcome(null, "The connection failed (" + e.getClass().getSimpleName() + ")");
        } finally {
            deadline.cancel(false);
        }
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    private void retryLater(WebhookRepository.Due due, int attempt, Integer status, String error) {
        Instant retryAt = attempt >= properties.maxAttempts() ? null : Instant.now().plus(properties.backoff(attempt));
        webhooks.failed(due.id(), status, error, retryAt);
        log.warn("Webhook {} delivery {} attempt {} failed ({}); {}", due.webhookId(), due.id(), attempt, error,
                retryAt == null ? "giving up" : "retrying at " + retryAt);
    }

    @PreDestroy
    void stop() throws IOException {
        senders.shutdownNow();
        deadlines.shutdownNow();
        http.close(CloseMode.IMMEDIATE);
    }
}

package dev.servicelab.check;

import dev.servicelab.security.Account;
import dev.servicelab.security.CurrentAccount;
import dev.servicelab.problem.ApiException;
import dev.servicelab.problem.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.security.Principal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

@RestController
@RequestMapping("/api/v1/labs/{labId}")
@Tag(name = "Checks", description = "Checking a step against the learner's own sandbox")
class CheckApiController {

    private static final Logger log = LoggerFactory.getLogger(CheckApiController.class);

    /** Longer than any check's retry window: the stream ends with the report well before. */
    private static final Duration STREAM_TIMEOUT = Duration.ofMinutes(10);
    /** Streamed checks run here rather than on request threads; per-account caps keep it small. */
    private static final int STREAM_THREADS = 32;

    private final CheckService checks;
    private final CheckAttemptRepository attempts;
    private final CurrentAccount current;
    private final ThreadPoolExecutor streams;

    CheckApiController(CheckService checks, CheckAttemptRepository attempts, CurrentAccount current) {
        this.checks = checks;
        this.attempts = attempts;
        this.current = current;
        AtomicInteger n = new AtomicInteger();
        this.streams = new ThreadPoolExecutor(0, STREAM_THREADS, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread thread = new Thread(r, "check-stream-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    @PostMapping(path = "/steps/{stepId}/checks", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Check my work on a step: every check's verdict and message; a pass records progress")
    StepReport check(@PathVariable String labId, @PathVariable String stepId, Principal principal) {
        return checks.check(current.of(principal), labId, stepId);
    }

    /**
     * The same check as a stream of server-sent events: {@code checks} (the titles, at once), one
     * {@code result} per check as its verdict arrives (again when a retried check's state changes),
     * then {@code report} (the step report) or {@code problem} (a problem detail), and the end.
     */
    @PostMapping(path = "/steps/{stepId}/checks", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Check my work on a step, streaming each check's result as it arrives (server-sent events)")
    SseEmitter stream(@PathVariable String labId, @PathVariable String stepId, Principal principal) throws IOException {
        Account account = current.of(principal);
        CheckService.Run run = checks.start(account, labId, stepId);
        SseEmitter emitter = new SseEmitter(STREAM_TIMEOUT.toMillis());
        AtomicReference<Future<?>> task = new AtomicReference<>();
        try {
            emitter.send(SseEmitter.event().name("checks").data(Map.of("checks", run.step().checks().stream()
                    .map(c -> Map.of("title", c.title(), "type", c.type().yamlName())).toList()), MediaType.APPLICATION_JSON));
            task.set(streams.submit(() -> stream(run, emitter)));
        } catch (RejectedExecutionException e) {
            run.close();
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "checks-busy", "The server is busy checking",
                    "The server is running as many checks as it can; check again in a few seconds.");
        } catch (IOException | RuntimeException e) {
            run.close();
            throw e;
        }
        // The learner went away: stop retrying their checks.
        Runnable cancel = () -> {
            Future<?> f = task.get();
            if (f != null) {
                f.cancel(true);
            }
        };
        emitter.onTimeout(cancel);
        emitter.onError(e -> cancel.run());
        return emitter;
    }

    private void stream(CheckService.Run run, SseEmitter emitter) {
        try (run) {
            StepReport report = run.execute((index, result) -> send(emitter, "result", new Indexed(index, result)));
            send(emitter, "report", report);
            emitter.complete();
        } catch (ApiException e) {
            send(emitter, "problem", e.getBody());
            emitter.complete();
        } catch (RuntimeException e) {
            log.warn("A streamed check failed", e);
            send(emitter, "problem", Problems.of(HttpStatus.INTERNAL_SERVER_ERROR, "check-failed", "The check failed",
                    "The check could not finish: " + e.getMessage() + ". Check again; if it keeps failing, start a fresh cluster."));
            emitter.complete();
        }
    }

    /** One check's result in the stream, with its position in the step. */
    record Indexed(int index, String title, String type, boolean passed, String state, String message, long millis) {
        Indexed(int index, CheckResult r) {
            this(index, r.title(), r.type(), r.passed(), r.state(), r.message(), r.millis());
        }
    }

    private static void send(SseEmitter emitter, String name, Object data) {
        try {
            emitter.send(SseEmitter.event().name(name).data(data, MediaType.APPLICATION_JSON));
        } catch (IOException | IllegalStateException e) {
            // The browser left: stop this run's retries (the engine stops the run when a listener
            // interrupts its thread, a probe's or the check's own).
            Thread.currentThread().interrupt();
        }
    }

    @GetMapping("/attempts")
    @Operation(summary = "My check attempts in this lab, newest first")
    List<CheckAttemptRepository.Attempt> attempts(@PathVariable String labId, Principal principal) {
        return attempts.attempts(current.of(principal).id(), labId);
    }

    @PreDestroy
    void shutdown() {
        streams.shutdownNow();
    }
}

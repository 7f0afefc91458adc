package dev.servicelab.check;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import dev.servicelab.lab.LabStep;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;

/**
 * Runs a step's checks against a sandbox. Every check is evaluated; those that fail and allow time
 * (things that converge, like pods starting) are retried until they pass or their time is up, so a
 * step takes as long as its slowest check, not the sum of them.
 */
@Service
public class CheckEngine {

    private static final Duration RETRY_PAUSE = Duration.ofMillis(700);

    private final Map<CheckType, Check> checks = new EnumMap<>(CheckType.class);

    public CheckEngine(List<Check> implementations) {
        implementations.forEach(check -> check.types().forEach(type -> checks.put(type, check)));
        for (CheckType type : CheckType.values()) {
            if (!checks.containsKey(type)) {
                throw new IllegalStateException("No implementation for check type " + type.yamlName());
            }
        }
    }

    public StepReport run(String labId, LabStep step, CheckContext context) {
        return run(labId, step, context, Duration.ofDays(1));
    }

    /**
     * Runs with each check's retry window capped: a conformance run that expects a step to fail
     * need not wait for things that will never converge.
     */
    public StepReport run(String labId, LabStep step, CheckContext context, Duration maxWait) {
        Instant started = Instant.now();
        List<CheckSpec> specs = step.checks();
        CheckResult[] results = new CheckResult[specs.size()];
        Instant[] deadlines = new Instant[specs.size()];
        for (int i = 0; i < specs.size(); i++) {
            Duration wait = Duration.ofSeconds(specs.get(i).timeoutSeconds());
            deadlines[i] = started.plus(wait.compareTo(maxWait) < 0 ? wait : maxWait);
        }
        boolean pending = true;
        while (pending) {
            pending = false;
            for (int i = 0; i < specs.size(); i++) {
                if (results[i] != null && (results[i].passed() || Instant.now().isAfter(deadlines[i]))) {
                    continue;
                }
                results[i] = evaluate(specs.get(i), context);
                if (!results[i].passed() && Instant.now().isBefore(deadlines[i])) {
                    pending = true;
                }
            }
            if (pending) {
                sleep();
            }
        }
        boolean passed = java.util.Arrays.stream(results).allMatch(CheckResult::passed);
        return new StepReport(labId, step.id(), passed, List.of(results), Duration.between(started, Instant.now()).toMillis(),
                started);
    }

    private CheckResult evaluate(CheckSpec spec, CheckContext context) {
        long start = System.nanoTime();
        Outcome outcome;
        try {
            outcome = checks.get(spec.type()).evaluate(spec, context);
        } catch (CheckContext.Missing e) {
            outcome = Outcome.fail(e.getMessage());
        } catch (KubernetesClientException e) {
            outcome = Outcome.fail("The cluster's API refused the check's question (" + e.getCode() + "): "
                    + (e.getStatus() != null ? e.getStatus().getMessage() : e.getMessage()));
        } catch (RuntimeException e) {
            outcome = Outcome.fail("The check could not run: " + e.getMessage() + ". If your cluster stopped, start a fresh one.");
        }
        String message = outcome.message();
        if (!outcome.passed() && spec.hint().isPresent()) {
            message = message + " Hint: " + spec.hint().get();
        }
        return new CheckResult(spec.title(), spec.type().yamlName(), outcome.passed(), message,
                (System.nanoTime() - start) / 1_000_000);
    }

    private static void sleep() {
        try {
            Thread.sleep(RETRY_PAUSE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.servicelab.sandbox;

import dev.servicelab.provisioner.SandboxException;
import dev.servicelab.problem.Problems;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * The sandbox's refusals as problem details, for every API controller: the provisioner's
 * {@link SandboxException} (in another module, so it cannot be an {@code ApiException}) by its
 * reason, and sandboxes being off.
 */
@RestControllerAdvice(basePackages = "dev.servicelab", annotations = RestController.class)
class SandboxProblems {

    @ExceptionHandler(SandboxException.class)
    ResponseEntity<ProblemDetail> sandbox(SandboxException e) {
        return switch (e.reason()) {
            case CAPACITY -> ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", "60")
                    .body(Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "sandbox-capacity", "No room for another sandbox", e.getMessage()));
            case NOT_FOUND -> ResponseEntity.status(HttpStatus.CONFLICT)
                    .body(Problems.of(HttpStatus.CONFLICT, "sandbox-not-ready", "No ready sandbox", e.getMessage()));
            case DEAD, START_FAILED -> ResponseEntity.status(HttpStatus.BAD_GATEWAY)
                    .body(Problems.of(HttpStatus.BAD_GATEWAY, "sandbox-failed", "The sandbox is not working", e.getMessage()));
            case INCOMPATIBLE_SNAPSHOT -> ResponseEntity.status(HttpStatus.CONFLICT)
                    .body(Problems.of(HttpStatus.CONFLICT, "sandbox-snapshot-incompatible", "The saved cluster cannot be restored",
                            e.getMessage()));
        };
    }

    @ExceptionHandler(SandboxService.SandboxesDisabledException.class)
    ProblemDetail sandboxesDisabled(SandboxService.SandboxesDisabledException e) {
        return Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "sandboxes-disabled", "Sandboxes are off", e.getMessage());
    }
}

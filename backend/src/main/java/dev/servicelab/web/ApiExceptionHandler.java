package dev.servicelab.web;

import dev.servicelab.account.AccountService.InvalidAccountException;
import dev.servicelab.sandbox.SandboxException;
import dev.servicelab.sandbox.SandboxService;
import org.springframework.http.ResponseEntity;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every API error is a problem detail: Spring MVC's own exceptions (malformed JSON, wrong method,
 * missing parameters) and our {@link ApiException}s through the base class, the rest below.
 */
@RestControllerAdvice(basePackages = "dev.servicelab", annotations = org.springframework.web.bind.annotation.RestController.class)
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    @ExceptionHandler(InvalidAccountException.class)
    ProblemDetail invalidAccount(InvalidAccountException e) {
        return Problems.of(HttpStatus.BAD_REQUEST, "invalid-account", "The account cannot be created", e.getMessage());
    }

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

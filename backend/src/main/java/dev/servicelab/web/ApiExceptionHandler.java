package dev.servicelab.web;

import dev.servicelab.problem.ApiException;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every API error is a problem detail: Spring MVC's own exceptions (malformed JSON, wrong method,
 * missing parameters) and every {@link ApiException} through the base class. Features map their
 * other exceptions with an advice of their own (e.g. {@code sandbox.SandboxProblems}), so this one
 * knows no feature.
 */
@RestControllerAdvice(basePackages = "dev.servicelab", annotations = RestController.class)
class ApiExceptionHandler extends ResponseEntityExceptionHandler {
}

package dev.servicelab.web;

import dev.servicelab.account.AccountService.InvalidAccountException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every API error is a problem detail: Spring MVC's own exceptions (malformed JSON, wrong method,
 * missing parameters) through the base class, ours through the handlers below.
 */
@RestControllerAdvice(basePackages = "dev.servicelab", annotations = org.springframework.web.bind.annotation.RestController.class)
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    @ExceptionHandler(NotFoundException.class)
    ProblemDetail notFound(NotFoundException e) {
        return Problems.of(HttpStatus.NOT_FOUND, e.slug(), e.title(), e.getMessage());
    }

    @ExceptionHandler(InvalidAccountException.class)
    ProblemDetail invalidAccount(InvalidAccountException e) {
        return Problems.of(HttpStatus.BAD_REQUEST, "invalid-account", "The account cannot be created", e.getMessage());
    }

    @ExceptionHandler(ConflictException.class)
    ProblemDetail conflict(ConflictException e) {
        return Problems.of(HttpStatus.CONFLICT, e.slug(), e.title(), e.getMessage());
    }
}

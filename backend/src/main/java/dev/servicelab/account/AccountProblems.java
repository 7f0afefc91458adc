package dev.servicelab.account;

import dev.servicelab.problem.Problems;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** An account that cannot be created, as a problem detail for every API controller. */
@RestControllerAdvice(basePackages = "dev.servicelab", annotations = RestController.class)
class AccountProblems {

    @ExceptionHandler(AccountService.InvalidAccountException.class)
    ProblemDetail invalidAccount(AccountService.InvalidAccountException e) {
        return Problems.of(HttpStatus.BAD_REQUEST, "invalid-account", "The account cannot be created", e.getMessage());
    }
}

package dev.servicelab.account;

import dev.servicelab.security.CurrentAccount;
import dev.servicelab.security.Role;
import dev.servicelab.security.AccountRepository;
import dev.servicelab.security.Account;
import dev.servicelab.security.TooManyAttempts;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import dev.servicelab.problem.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.security.Principal;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1")
@Tag(name = "Accounts")
class AccountApiController {

    record SignUp(String username, String displayName, String password, String code) {
    }

    record NewAccount(@NotBlank String username, String displayName, @NotBlank String password, @NotNull Role role) {
    }

    private final AccountService accounts;
    private final AccountRepository repository;
    private final CurrentAccount current;
    private final SignUpService signUps;

    AccountApiController(AccountService accounts, AccountRepository repository, CurrentAccount current, SignUpService signUps) {
        this.accounts = accounts;
        this.repository = repository;
        this.current = current;
        this.signUps = signUps;
    }

    @PostMapping("/signup")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create your own learner account and be signed in with it", description = """
            Signs the new learner in on this session (the answer sets a new session cookie). Like any \
            cookie-borne request it needs the CSRF token: the `XSRF-TOKEN` cookie (set by any page, e.g. /login) \
            echoed in `X-XSRF-TOKEN`. `code` is a cohort's join code: the learner joins that cohort; when the \
            server sets `servicelab.accounts.signup-requires-invitation`, it is required. Sign-ups per client \
            address are limited: past the limit the answer is 429 with `Retry-After` (`/problems/too-many-attempts`).""")
    Account signUp(@RequestBody SignUp request, HttpServletRequest http, HttpServletResponse response) {
        if (!signUps.enabled()) {
            throw new ApiException(HttpStatus.FORBIDDEN, "signup-disabled", "Sign-up is off",
                    "This server does not let learners create accounts. Ask an admin for one.");
        }
        return signUps.signUp(request.username(), request.displayName(), request.password(), request.code(), http, response)
                .account();
    }

    @ExceptionHandler(SignUpService.ThrottledException.class)
    ResponseEntity<ProblemDetail> throttled(SignUpService.ThrottledException e) {
        return TooManyAttempts.response(e.retryAfter());
    }

    @GetMapping("/me")
    @Operation(summary = "The signed-in account")
    Account me(Principal principal) {
        return current.of(principal);
    }

    @PostMapping("/accounts")
    @ResponseStatus(HttpStatus.CREATED)
    @PreAuthorize("hasRole('ADMIN')")
    @Operation(summary = "Create an account of any role (admins)")
    Account create(@Valid @RequestBody NewAccount request) {
        return accounts.create(request.username(), request.displayName(), request.password(), request.role());
    }

    @GetMapping("/accounts")
    @PreAuthorize("hasRole('ADMIN')")
    @Operation(summary = "List all accounts (admins)")
    List<Account> list() {
        return repository.findAll();
    }
}

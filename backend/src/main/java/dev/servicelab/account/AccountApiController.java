package dev.servicelab.account;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.security.Principal;
import java.util.List;
import org.springframework.http.HttpStatus;
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

    record NewAccount(@NotBlank String username, String displayName, @NotBlank String password, @NotNull Role role) {
    }

    private final AccountService accounts;
    private final AccountRepository repository;
    private final CurrentAccount current;

    AccountApiController(AccountService accounts, AccountRepository repository, CurrentAccount current) {
        this.accounts = accounts;
        this.repository = repository;
        this.current = current;
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

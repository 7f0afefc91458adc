package dev.servicelab.check;

import dev.servicelab.account.CurrentAccount;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/labs/{labId}")
@Tag(name = "Checks", description = "Checking a step against the learner's own sandbox")
class CheckApiController {

    private final CheckService checks;
    private final CheckAttemptRepository attempts;
    private final CurrentAccount current;

    CheckApiController(CheckService checks, CheckAttemptRepository attempts, CurrentAccount current) {
        this.checks = checks;
        this.attempts = attempts;
        this.current = current;
    }

    @PostMapping("/steps/{stepId}/checks")
    @Operation(summary = "Check my work on a step: every check's verdict and message; a pass records progress")
    StepReport check(@PathVariable String labId, @PathVariable String stepId, Principal principal) {
        return checks.check(current.of(principal), labId, stepId);
    }

    @GetMapping("/attempts")
    @Operation(summary = "My check attempts in this lab, newest first")
    List<CheckAttemptRepository.Attempt> attempts(@PathVariable String labId, Principal principal) {
        return attempts.attempts(current.of(principal).id(), labId);
    }
}

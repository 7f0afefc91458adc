package dev.servicelab.learning;

import dev.servicelab.catalog.LabCatalogService;
import dev.servicelab.lab.Lab;
import dev.servicelab.problem.ApiException;
import dev.servicelab.sandbox.SandboxService;
import dev.servicelab.sandbox.SandboxView;
import dev.servicelab.security.Account;
import dev.servicelab.security.CurrentAccount;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** A learner starts their lab's cluster over: fresh, as their progress has it, or at the start of a step. */
@RestController
@RequestMapping("/api/v1/labs/{labId}/sandbox/start-over")
@Tag(name = "Sandboxes", description = "The learner's own Kubernetes cluster for a lab")
class StartOverController {

    /** @param step the step to start again from (its id); none: where the learner's progress is */
    record StartOver(String step) {
    }

    private final SandboxService sandboxes;
    private final LabCatalogService catalog;
    private final LabSetup setup;
    private final CurrentAccount current;

    StartOverController(SandboxService sandboxes, LabCatalogService catalog, LabSetup setup, CurrentAccount current) {
        this.sandboxes = sandboxes;
        this.catalog = catalog;
        this.setup = setup;
        this.current = current;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Start my cluster over: my sandbox and its saved state are discarded and a fresh one starts, "
            + "prepared up to my progress, or with {\"step\": id} up to the start of that step (its setup and the "
            + "reference solutions of the steps before it). My progress is kept")
    SandboxView startOver(@PathVariable String labId, @RequestBody(required = false) StartOver body, Principal principal) {
        Account account = current.of(principal);
        Lab lab = catalog.lab(labId, account.id());
        if (body != null && body.step() != null) {
            int index = lab.steps().stream().map(s -> s.id()).toList().indexOf(body.step());
            if (index < 0) {
                throw new ApiException(HttpStatus.BAD_REQUEST, "unknown-step", "Unknown step", "Lab " + labId
                        + " has no step \"" + body.step() + "\": give one of its step ids, or no step to start over where you are.");
            }
            setup.prepareUpTo(account.username(), labId, index);
        }
        return sandboxes.startOver(account, labId);
    }
}

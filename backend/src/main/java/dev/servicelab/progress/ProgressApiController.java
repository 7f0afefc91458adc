package dev.servicelab.progress;

import dev.servicelab.security.CurrentAccount;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/labs/{labId}")
@Tag(name = "Progress", description = "The signed-in learner's progress through a lab")
class ProgressApiController {

    record Hints(String stepId, List<String> hints) {
    }

    private final ProgressService progress;
    private final CurrentAccount current;

    ProgressApiController(ProgressService progress, CurrentAccount current) {
        this.progress = progress;
        this.current = current;
    }

    @GetMapping("/progress")
    @Operation(summary = "My progress through the lab, step by step")
    LabProgress progress(@PathVariable String labId, Principal principal) {
        return progress.progress(current.of(principal), labId);
    }

    @PostMapping("/enrolment")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Start the lab (idempotent)")
    LabProgress start(@PathVariable String labId, Principal principal) {
        return progress.start(current.of(principal), labId);
    }

    @PostMapping("/steps/{stepId}/hints")
    @Operation(summary = "Reveal the step's next hint; returns every hint revealed so far")
    Hints hint(@PathVariable String labId, @PathVariable String stepId, Principal principal) {
        return new Hints(stepId, progress.revealHint(current.of(principal), labId, stepId));
    }
}

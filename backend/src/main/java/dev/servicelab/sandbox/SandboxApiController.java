package dev.servicelab.sandbox;

import dev.servicelab.security.CurrentAccount;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/labs/{labId}/sandbox")
@Tag(name = "Sandboxes", description = "The learner's own Kubernetes cluster for a lab")
class SandboxApiController {

    record Tunnel(boolean running) {
    }

    private final SandboxService sandboxes;
    private final CurrentAccount current;

    SandboxApiController(SandboxService sandboxes, CurrentAccount current) {
        this.sandboxes = sandboxes;
        this.current = current;
    }

    @PostMapping("/tunnel")
    @Operation(summary = "Start the tunnel: pending LoadBalancer Services get an external IP (as minikube tunnel)")
    Tunnel startTunnel(@PathVariable String labId, Principal principal) {
        return new Tunnel(sandboxes.tunnel(current.of(principal), labId, true));
    }

    @DeleteMapping("/tunnel")
    @Operation(summary = "Stop the tunnel: external IPs go back to pending")
    Tunnel stopTunnel(@PathVariable String labId, Principal principal) {
        return new Tunnel(sandboxes.tunnel(current.of(principal), labId, false));
    }

    @GetMapping
    @Operation(summary = "My sandbox for the lab: state, start-up phase and percent, expiry; NONE before the first; "
            + "while QUEUED (the server was full) my queue position and estimated wait. Asking keeps my place in the queue")
    SandboxView get(@PathVariable String labId, Principal principal) {
        return sandboxes.view(current.of(principal), labId);
    }

    @PostMapping
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Get a sandbox for the lab: mine if I have one, else a warm one, else a new one (starting); "
            + "when the server is full, a place in the queue (QUEUED), started for me when a slot frees")
    SandboxView acquire(@PathVariable String labId, Principal principal) {
        return sandboxes.acquire(current.of(principal), labId);
    }

    @PostMapping("/keep-alive")
    @Operation(summary = "I am working on this lab: push my sandbox's idle timeout back (the lab page calls this "
            + "while the learner uses it, and for its \"Keep it\" button)")
    SandboxView keepAlive(@PathVariable String labId, Principal principal) {
        return sandboxes.keepAlive(current.of(principal), labId);
    }

    @PostMapping("/extend")
    @Operation(summary = "Give my sandbox more time (up to the hard limit)")
    SandboxView extend(@PathVariable String labId, Principal principal) {
        return sandboxes.extend(current.of(principal), labId);
    }

    @DeleteMapping
    @Operation(summary = "End my sandbox now, or leave the queue")
    ResponseEntity<Void> release(@PathVariable String labId, Principal principal) {
        sandboxes.release(current.of(principal), labId);
        return ResponseEntity.noContent().build();
    }
}

package dev.servicelab.traffic;

import dev.servicelab.security.Account;
import dev.servicelab.security.CurrentAccount;
import dev.servicelab.security.InFlight;
import dev.servicelab.problem.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/labs/{labId}/traffic")
@Tag(name = "Traffic", description = "The live traffic view: what the learner's Services did with real requests")
class TrafficApiController {

    private final TrafficService traffic;
    private final CurrentAccount current;
    private final InFlight runs;

    TrafficApiController(TrafficService traffic, CurrentAccount current, TrafficProperties properties) {
        this.traffic = traffic;
        this.current = current;
        this.runs = new InFlight(properties.maxRunsPerAccount());
    }

    @GetMapping
    @Operation(summary = "My sandbox's Services, pods and endpoints, and the flows counted so far (as the socket's snapshot)")
    TrafficMessages.Snapshot snapshot(@PathVariable String labId, Principal principal) {
        return traffic.snapshot(current.of(principal), labId);
    }

    @PostMapping("/requests")
    @Operation(summary = "Send N requests to one of my Services: from a client pod, through a node's nodePort, or through the tunnel")
    TrafficSummary send(@PathVariable String labId, @RequestBody TrafficRequest request, Principal principal) {
        Account account = current.of(principal);
        try (InFlight.Permit permit = runs.acquire(account.username(), () -> "You already have " + runs.max()
                + " \"send N requests\" running. Wait until one of them has answered, then send again.")) {
            return traffic.send(traffic.sandbox(account, labId), request);
        }
    }

    @ExceptionHandler(TrafficException.class)
    ProblemDetail problem(TrafficException e) {
        return Problems.of(e.status(), e.slug(), e.title(), e.getMessage());
    }
}

package dev.servicelab.terminal;

import dev.servicelab.sandbox.JdbcSandboxLedger;
import dev.servicelab.security.WatchAccess;
import dev.servicelab.security.Account;
import dev.servicelab.security.AccountRepository;
import dev.servicelab.security.CurrentAccount;
import java.security.Principal;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;

/** An instructor watches a learner's terminal, read-only, from the cohort dashboard. */
@Controller
class TerminalWatchPageController {

    private final CurrentAccount current;
    private final AccountRepository accounts;
    private final WatchAccess access;
    private final JdbcSandboxLedger sandboxes;

    TerminalWatchPageController(CurrentAccount current, AccountRepository accounts, WatchAccess access,
            JdbcSandboxLedger sandboxes) {
        this.current = current;
        this.accounts = accounts;
        this.access = access;
        this.sandboxes = sandboxes;
    }

    @GetMapping("/instructor/cohorts/{cohortId}/learners/{username}/terminal")
    String watch(@PathVariable long cohortId, @PathVariable String username, @RequestParam(required = false) String lab,
            Principal principal, Model model) {
        Account watcher = current.of(principal);
        Account learner = accounts.findByUsername(username)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No learner " + username));
        if (!access.mayWatch(watcher, learner)) {
            throw new ResponseStatusException(HttpStatus.FORBIDDEN, "You may watch only the learners of your own cohorts.");
        }
        model.addAttribute("account", watcher);
        model.addAttribute("learner", learner);
        model.addAttribute("cohortId", cohortId);
        // Without a lab named, the shell the learner is most likely using: their latest ready sandbox's.
        model.addAttribute("lab", lab != null ? lab : sandboxes.mostRecentReadyLab(learner.username()).orElse(null));
        return "terminal-watch";
    }
}

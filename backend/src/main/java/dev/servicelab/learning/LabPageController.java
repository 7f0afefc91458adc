package dev.servicelab.learning;

import dev.servicelab.lab.Lab;
import dev.servicelab.catalog.LabCatalogService;
import dev.servicelab.lab.LabStep;
import dev.servicelab.catalog.MarkdownRenderer;

import dev.servicelab.security.Account;
import dev.servicelab.security.CurrentAccount;
import dev.servicelab.progress.LabProgress;
import dev.servicelab.progress.ProgressService;
import dev.servicelab.provisioner.SandboxException;
import dev.servicelab.sandbox.SandboxService;
import java.security.Principal;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

@Controller
class LabPageController {

    /** A catalog card: the lab and how far the learner got. */
    record CatalogEntry(Lab lab, LabProgress progress) {
        public int percent() {
            return (int) (100 * progress.passedSteps() / lab.stepCount());
        }
    }

    /** A step as the lab page shows it. */
    record StepPanel(int number, LabStep step, String html, LabProgress.StepProgress progress, List<String> hints,
            boolean current) {
    }

    private final LabCatalogService catalog;
    private final ProgressService progress;
    private final CurrentAccount current;
    private final MarkdownRenderer markdown;
    private final SandboxService sandboxes;

    LabPageController(LabCatalogService catalog, ProgressService progress, CurrentAccount current,
            MarkdownRenderer markdown, SandboxService sandboxes) {
        this.catalog = catalog;
        this.progress = progress;
        this.current = current;
        this.markdown = markdown;
        this.sandboxes = sandboxes;
    }

    @GetMapping("/")
    String catalog(Principal principal, Model model) {
        Account account = current.of(principal);
        model.addAttribute("entries", catalog.labs().stream()
                .map(lab -> new CatalogEntry(lab, progress.progress(account, lab.id()))).toList());
        model.addAttribute("rejectedCount", catalog.catalog().rejected().size());
        model.addAttribute("account", account);
        return "catalog";
    }

    @GetMapping("/labs/{labId}")
    String lab(@PathVariable String labId, Principal principal, Model model) {
        Account account = current.of(principal);
        Lab lab = catalog.lab(labId, account.id());
        try {
            sandboxes.wake(account, labId); // opening the lab is coming back to it
        } catch (SandboxService.SandboxesDisabledException e) {
            // the page says so in its sandbox panel
        }
        LabProgress labProgress = progress.progress(account, labId);
        String currentStep = labProgress.currentStepId();
        List<StepPanel> steps = new java.util.ArrayList<>();
        for (int i = 0; i < lab.steps().size(); i++) {
            LabStep step = lab.steps().get(i);
            steps.add(new StepPanel(i + 1, step, markdown.html(step.instructions()), labProgress.steps().get(i),
                    progress.revealedHints(account, labId, step.id()), step.id().equals(currentStep)));
        }
        model.addAttribute("lab", lab);
        model.addAttribute("progress", labProgress);
        model.addAttribute("steps", steps);
        model.addAttribute("account", account);
        return "lab";
    }

    /** Starts the lab and asks for the learner's sandbox; the page then shows it coming up. */
    @PostMapping("/labs/{labId}/start")
    String start(@PathVariable String labId, Principal principal, RedirectAttributes redirect) {
        Account account = current.of(principal);
        progress.start(account, labId);
        try {
            sandboxes.acquire(account, labId);
        } catch (SandboxException | SandboxService.SandboxesDisabledException e) {
            redirect.addFlashAttribute("sandboxError", e.getMessage());
        }
        return "redirect:/labs/" + labId;
    }

    @GetMapping("/admin/labs")
    String rejected(Model model, Principal principal) {
        model.addAttribute("account", current.of(principal));
        model.addAttribute("catalog", catalog.catalog());
        return "admin-labs";
    }
}

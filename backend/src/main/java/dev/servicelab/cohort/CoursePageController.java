package dev.servicelab.cohort;

import dev.servicelab.security.Account;
import dev.servicelab.security.CurrentAccount;
import dev.servicelab.catalog.LabCatalogService;
import dev.servicelab.progress.LabProgress;
import dev.servicelab.progress.ProgressService;
import dev.servicelab.problem.ConflictException;
import dev.servicelab.problem.NotFoundException;
import java.security.Principal;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Learners' side of cohorts: joining by link or code, and "My courses" with each cohort's labs.
 * Opening a join link shows the cohort and a Join button rather than joining at once, so that a
 * link preview or prefetch cannot enrol anybody.
 */
@Controller
class CoursePageController {

    /** A cohort's lab on the learner's course page, with their progress in it. */
    record CourseLab(Cohort.CohortLab lab, String title, LabProgress progress, int totalSteps) {
        public int percent() {
            return totalSteps == 0 ? 0 : (int) (100 * progress.passedSteps() / totalSteps);
        }
    }

    record Course(Cohort cohort, List<CourseLab> labs) {
    }

    private final CohortService cohorts;
    private final CurrentAccount current;
    private final ProgressService progress;
    private final LabCatalogService catalog;

    CoursePageController(CohortService cohorts, CurrentAccount current, ProgressService progress, LabCatalogService catalog) {
        this.cohorts = cohorts;
        this.current = current;
        this.progress = progress;
        this.catalog = catalog;
    }

    @GetMapping("/join/{code}")
    String joinPage(@PathVariable String code, Principal principal, Model model) {
        model.addAttribute("account", current.of(principal));
        model.addAttribute("code", code);
        try {
            model.addAttribute("cohort", cohorts.byCode(code));
        } catch (NotFoundException e) {
            model.addAttribute("error", e.getMessage());
        }
        return "instructor/join";
    }

    @PostMapping("/join")
    String join(@RequestParam String code, Principal principal, Model model, RedirectAttributes redirect) {
        try {
            Cohort cohort = cohorts.join(current.of(principal), code);
            redirect.addFlashAttribute("message", "You joined " + cohort.name() + ". Its labs are below.");
            return "redirect:/courses";
        } catch (NotFoundException | ConflictException e) {
            model.addAttribute("account", current.of(principal));
            model.addAttribute("code", code);
            model.addAttribute("error", e.getMessage());
            return "instructor/join";
        }
    }

    @GetMapping("/courses")
    String courses(Principal principal, Model model) {
        Account account = current.of(principal);
        model.addAttribute("account", account);
        model.addAttribute("courses", cohorts.joined(account).stream().map(c -> new Course(c, c.labs().stream()
                .filter(l -> catalog.catalog().lab(l.labId()).isPresent())
                .map(l -> new CourseLab(l, catalog.lab(l.labId()).title(), progress.progress(account, l.labId()),
                        catalog.lab(l.labId()).stepCount()))
                .toList())).toList());
        return "instructor/courses";
    }
}

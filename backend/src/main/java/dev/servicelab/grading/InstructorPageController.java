package dev.servicelab.grading;

import dev.servicelab.cohort.CohortRepository;
import dev.servicelab.cohort.CohortService;
import dev.servicelab.cohort.Cohort;

import dev.servicelab.problem.ApiProblem;
import dev.servicelab.security.Caller;
import dev.servicelab.cohort.CohortAccess;
import dev.servicelab.catalog.LabCatalogService;
import dev.servicelab.problem.NotFoundException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** The instructor's pages: cohorts, the live dashboard of one, its CSV export. */
@Controller
class InstructorPageController {

    private final CohortAccess access;
    private final CohortRepository cohorts;
    private final CohortService service;
    private final DashboardService dashboards;
    private final DashboardStream stream;
    private final AnalyticsService analytics;
    private final LabCatalogService catalog;

    InstructorPageController(CohortAccess access, CohortRepository cohorts, CohortService service, DashboardService dashboards,
            DashboardStream stream, AnalyticsService analytics, LabCatalogService catalog) {
        this.access = access;
        this.cohorts = cohorts;
        this.service = service;
        this.dashboards = dashboards;
        this.stream = stream;
        this.analytics = analytics;
        this.catalog = catalog;
    }

    @GetMapping("/instructor/cohorts")
    String cohorts(Principal principal, Model model) {
        Caller caller = instructor(principal);
        model.addAttribute("account", caller.account());
        model.addAttribute("cohorts", cohorts.owned(caller.admin() ? null : caller.account().id()));
        model.addAttribute("labs", catalog.labs());
        return "instructor/cohorts";
    }

    @PostMapping("/instructor/cohorts")
    String create(@RequestParam String name, @RequestParam(required = false) String opensOn,
            @RequestParam(required = false) String closesOn, @RequestParam(name = "lab", required = false) List<String> labIds,
            @RequestParam Map<String, String> form, Principal principal, Model model) {
        Caller caller = instructor(principal);
        try {
            List<CohortService.LabChoice> labs = new ArrayList<>();
            for (String labId : labIds == null ? List.<String>of() : labIds) {
                String weight = form.get("weight-" + labId);
                labs.add(new CohortService.LabChoice(labId, date("due date of " + labId, form.get("due-" + labId), true),
                        weight == null || weight.isBlank() ? null : Double.valueOf(weight)));
            }
            Cohort cohort = service.create(caller.account(), new CohortService.CohortRequest(name,
                    date("opening date", opensOn, false), date("closing date", closesOn, true), labs));
            return "redirect:/instructor/cohorts/" + cohort.id();
        } catch (ApiProblem | NumberFormatException e) {
            model.addAttribute("error", e instanceof ApiProblem p ? p.getBody().getDetail() : "Weights are numbers such as 1 or 2.5.");
            return cohorts(principal, model);
        }
    }

    @GetMapping("/instructor/cohorts/{id}")
    String dashboard(@PathVariable long id, Principal principal, Model model) {
        Caller caller = instructor(principal);
        Cohort cohort = cohort(caller, id);
        model.addAttribute("account", caller.account());
        model.addAttribute("dashboard", dashboards.dashboard(cohort));
        return "instructor/dashboard";
    }

    @PostMapping("/instructor/cohorts/{id}/archive")
    String archive(@PathVariable long id, Principal principal, RedirectAttributes redirect) {
        service.archive(cohort(instructor(principal), id));
        redirect.addFlashAttribute("message", "The cohort is archived: it takes no new members; its results stay here.");
        return "redirect:/instructor/cohorts/" + id;
    }

    @GetMapping(path = "/instructor/cohorts/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events(@PathVariable long id, Principal principal) {
        return stream.subscribe(cohort(instructor(principal), id).id());
    }

    @GetMapping("/instructor/cohorts/{id}/analytics.csv")
    ResponseEntity<String> csv(@PathVariable long id, Principal principal) {
        Cohort cohort = cohort(instructor(principal), id);
        return ResponseEntity.ok().contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
                .header("Content-Disposition", "attachment; filename=\"cohort-" + id + "-analytics.csv\"")
                .body(analytics.csv(cohort));
    }

    private Caller instructor(Principal principal) {
        return access.instructor(principal);
    }

    private Cohort cohort(Caller caller, long id) {
        try {
            return access.cohort(caller, id);
        } catch (NotFoundException e) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, e.getMessage());
        }
    }

    /** A date from a form's date field: the start of that day (UTC), or its end for closing and due dates. */
    private static Instant date(String what, String value, boolean endOfDay) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            LocalDate day = LocalDate.parse(value.strip());
            return (endOfDay ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant().minusSeconds(endOfDay ? 1 : 0);
        } catch (DateTimeParseException e) {
            throw ApiProblem.badRequest("invalid-cohort", "The cohort cannot be saved",
                    "The " + what + " '" + value + "' is not a date such as 2025-03-01.");
        }
    }
}

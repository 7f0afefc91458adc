package dev.servicelab.catalog;

import dev.servicelab.lab.Lab;
import dev.servicelab.lab.LabCatalog;
import dev.servicelab.lab.LabProblem;
import dev.servicelab.security.CurrentAccount;
import io.swagger.v3.oas.annotations.Operation;
import java.security.Principal;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Map;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1")
@Tag(name = "Labs", description = "The lab catalog")
class LabApiController {

    record LabSummary(String id, String title, String summary, String difficulty, int estimatedMinutes,
            List<String> prerequisites, List<String> tags, int nodes, int steps) {
        static LabSummary of(Lab lab) {
            return new LabSummary(lab.id(), lab.title(), lab.summary(), lab.difficulty().name().toLowerCase(),
                    lab.estimatedMinutes(), lab.prerequisites(), lab.tags(), lab.sandbox().nodes(), lab.stepCount());
        }
    }

    record StepView(String id, String title, String instructionsMarkdown, String instructionsHtml, int hints,
            List<String> checks) {
    }

    record LabDetail(LabSummary lab, List<StepView> steps) {
    }

    record Rejection(String folder, List<String> problems) {
    }

    private final LabCatalogService catalog;
    private final MarkdownRenderer markdown;
    private final CurrentAccount current;

    LabApiController(LabCatalogService catalog, MarkdownRenderer markdown, CurrentAccount current) {
        this.catalog = catalog;
        this.markdown = markdown;
        this.current = current;
    }

    @GetMapping("/labs")
    @Operation(summary = "List the labs on offer, in course order")
    List<LabSummary> labs() {
        return catalog.labs().stream().map(LabSummary::of).toList();
    }

    @GetMapping("/labs/{labId}")
    @Operation(summary = "One lab with its steps' instructions as the caller gets them (a lab with a fault pool: "
            + "their own faults; hints and solutions are not included)")
    LabDetail lab(@PathVariable String labId, Principal principal) {
        Lab lab = catalog.lab(labId, current.of(principal).id());
        return new LabDetail(LabSummary.of(lab), lab.steps().stream()
                .map(s -> new StepView(s.id(), s.title(), s.instructions(), markdown.html(s.instructions()),
                        s.hints().size(), s.checks().stream().map(c -> c.title()).toList()))
                .toList());
    }

    @GetMapping("/admin/labs/rejected")
    @PreAuthorize("hasRole('ADMIN')")
    @Operation(summary = "Lab folders that failed to load, with every problem found (admins)")
    List<Rejection> rejected() {
        return rejections(catalog.catalog());
    }

    @PostMapping("/admin/labs/reload")
    @PreAuthorize("hasRole('ADMIN')")
    @Operation(summary = "Re-read the lab catalog from disk without restarting (admins)")
    Map<String, Object> reload() {
        LabCatalog reloaded = catalog.reload();
        return Map.of("loaded", reloaded.labs().size(), "rejected", rejections(reloaded));
    }

    private static List<Rejection> rejections(LabCatalog catalog) {
        return catalog.rejected().entrySet().stream()
                .map(e -> new Rejection(e.getKey(), e.getValue().stream().map(LabProblem::toString).toList())).toList();
    }
}

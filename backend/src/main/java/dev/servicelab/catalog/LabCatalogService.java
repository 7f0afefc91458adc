package dev.servicelab.catalog;

import dev.servicelab.lab.Lab;
import dev.servicelab.lab.LabCatalog;
import dev.servicelab.lab.LabLoader;
import dev.servicelab.lab.LabStep;
import dev.servicelab.problem.NotFoundException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/** The labs the server offers, read from disk at start and again when an admin asks for a reload. */
@Service
public class LabCatalogService {

    private static final Logger log = LoggerFactory.getLogger(LabCatalogService.class);

    private final LabProperties properties;
    private final LabLoader loader = new LabLoader();
    private final AtomicReference<LabCatalog> catalog = new AtomicReference<>();

    public LabCatalogService(LabProperties properties) {
        this.properties = properties;
        reload();
    }

    public LabCatalog reload() {
        LabCatalog loaded = loader.load(properties.directory().toAbsolutePath().normalize());
        catalog.set(loaded);
        log.info("Lab catalog {}: {} labs loaded, {} rejected", properties.directory().toAbsolutePath().normalize(),
                loaded.labs().size(), loaded.rejected().size());
        return loaded;
    }

    public List<Lab> labs() {
        return catalog.get().labs();
    }

    public LabCatalog catalog() {
        return catalog.get();
    }

    public Lab lab(String id) {
        return catalog.get().lab(id).orElseThrow(() -> new NotFoundException("lab-not-found", "No such lab",
                "There is no lab '" + id + "'. GET /api/v1/labs lists the labs on offer."));
    }

    /**
     * The lab as this learner gets it: the one place that turns a lab and a learner into steps (a lab
     * with a fault pool gives each learner their own faults, see {@code Lab.forLearner}).
     */
    public Lab lab(String id, long learnerId) {
        return lab(id).forLearner(learnerId);
    }

    /** One of the learner's steps of the lab; a fault they did not draw is no step of theirs. */
    public LabStep step(String labId, long learnerId, String stepId) {
        Lab lab = lab(labId, learnerId);
        return lab.step(stepId).orElseThrow(() -> new NotFoundException("step-not-found", "No such step",
                "Lab '" + labId + "' has no step '" + stepId + "'; its steps are "
                        + lab.steps().stream().map(LabStep::id).toList() + "."));
    }
}

package dev.servicelab.cohort;

import dev.servicelab.security.Account;
import dev.servicelab.problem.ApiProblem;
import dev.servicelab.lab.Lab;
import dev.servicelab.catalog.LabCatalogService;
import dev.servicelab.problem.ConflictException;
import dev.servicelab.problem.NotFoundException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Creating, changing, archiving and joining cohorts; refusals say what to change. */
@Service
public class CohortService {

    /** What an instructor asks for; labs in the order learners should take them. */
    public record CohortRequest(String name, Instant opensAt, Instant closesAt, List<LabChoice> labs) {
    }

    /** A lab of the cohort; {@code weight} null means 1. */
    public record LabChoice(String labId, Instant dueAt, Double weight) {
    }

    // No 0/O or 1/I/L: codes are read aloud and typed from slides.
    private static final String CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    private static final int CODE_LENGTH = 8;

    private final CohortRepository cohorts;
    private final LabCatalogService catalog;
    private final SecureRandom random = new SecureRandom();
    private final Clock clock = Clock.systemUTC();

    CohortService(CohortRepository cohorts, LabCatalogService catalog) {
        this.cohorts = cohorts;
        this.catalog = catalog;
    }

    @Transactional
    public Cohort create(Account owner, CohortRequest request) {
        List<Cohort.CohortLab> labs = validate(request);
        // 31^8 codes: a collision is so unlikely that the unique key failing the request is acceptable.
        long id = cohorts.insert(request.name().strip(), owner.id(), newCode(), request.opensAt(), request.closesAt());
        cohorts.replaceLabs(id, labs);
        return cohorts.find(id).orElseThrow();
    }

    @Transactional
    public Cohort update(Cohort cohort, CohortRequest request) {
        List<Cohort.CohortLab> labs = validate(request);
        cohorts.update(cohort.id(), request.name().strip(), request.opensAt(), request.closesAt());
        cohorts.replaceLabs(cohort.id(), labs);
        return cohorts.find(cohort.id()).orElseThrow();
    }

    public Cohort archive(Cohort cohort) {
        cohorts.archive(cohort.id());
        return cohorts.find(cohort.id()).orElseThrow();
    }

    public Cohort byCode(String code) {
        return cohorts.findByJoinCode(code == null ? "" : code.strip()).orElseThrow(() -> new NotFoundException(
                "cohort-not-found", "No such cohort", "No cohort has the join code '" + code
                        + "'. Check the code (or link) with your instructor."));
    }

    /** Joins the cohort with this code; joining twice changes nothing. */
    public Cohort join(Account account, String code) {
        Cohort cohort = byCode(code);
        if (cohort.archived()) {
            throw new ConflictException("cohort-archived", "Cohort archived",
                    "The cohort '" + cohort.name() + "' has been archived and takes no new members. Ask your instructor for a current code.");
        }
        if (cohort.closesAt() != null && clock.instant().isAfter(cohort.closesAt())) {
            throw new ConflictException("cohort-closed", "Cohort closed",
                    "The cohort '" + cohort.name() + "' closed on " + cohort.closesAt() + ". Ask your instructor to extend it.");
        }
        cohorts.addMember(cohort.id(), account.id());
        return cohort;
    }

    public List<Cohort> joined(Account account) {
        return cohorts.joined(account.id());
    }

    private List<Cohort.CohortLab> validate(CohortRequest request) {
        if (request == null || request.name() == null || request.name().isBlank() || request.name().strip().length() > 128) {
            throw invalid("Give the cohort a name of 1 to 128 characters.");
        }
        if (request.labs() == null || request.labs().isEmpty()) {
            throw invalid("Pick at least one lab (its id from GET /api/v1/labs).");
        }
        if (request.opensAt() != null && request.closesAt() != null && !request.closesAt().isAfter(request.opensAt())) {
            throw invalid("The cohort must close after it opens: closesAt " + request.closesAt() + " is not after opensAt "
                    + request.opensAt() + ".");
        }
        List<Cohort.CohortLab> labs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (LabChoice choice : request.labs()) {
            String labId = choice == null ? null : choice.labId();
            if (labId == null || catalog.catalog().lab(labId).isEmpty()) {
                throw invalid("There is no lab '" + labId + "'. Choose among " + catalog.labs().stream().map(Lab::id).toList() + ".");
            }
            if (!seen.add(labId)) {
                throw invalid("The lab '" + labId + "' is listed twice; list each lab once.");
            }
            if (choice.weight() != null && (choice.weight() <= 0 || choice.weight() > 1000)) {
                throw invalid("The weight of lab '" + labId + "' must be above 0 and at most 1000 (it was " + choice.weight() + ").");
            }
            labs.add(new Cohort.CohortLab(labId, labs.size(), choice.dueAt(), choice.weight() == null ? 1 : choice.weight()));
        }
        return labs;
    }

    private static ApiProblem invalid(String detail) {
        return ApiProblem.badRequest("invalid-cohort", "The cohort cannot be saved", detail);
    }

    private String newCode() {
        StringBuilder code = new StringBuilder(CODE_LENGTH);
        for (int i = 0; i < CODE_LENGTH; i++) {
            code.append(CODE_ALPHABET.charAt(random.nextInt(CODE_ALPHABET.length())));
        }
        return code.toString();
    }
}

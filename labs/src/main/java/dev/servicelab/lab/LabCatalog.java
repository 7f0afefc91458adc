package dev.servicelab.lab;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The labs that loaded, in catalog order, and the folders that were rejected with their problems. */
public record LabCatalog(List<Lab> labs, Map<String, List<LabProblem>> rejected) {

    public LabCatalog {
        labs = List.copyOf(labs);
        rejected = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rejected));
    }

    public Optional<Lab> lab(String id) {
        return labs.stream().filter(l -> l.id().equals(id)).findFirst();
    }
}

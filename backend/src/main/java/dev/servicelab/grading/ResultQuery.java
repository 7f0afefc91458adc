package dev.servicelab.grading;

import dev.servicelab.problem.ApiProblem;

import dev.servicelab.cohort.Cohort;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The paging and filters of the results endpoints, parsed from the raw query strings so that every
 * malformed value is answered with a problem that names the parameter and shows a valid one.
 *
 * @param labs the labs to count (the cohort's, or the one asked for with {@code lab})
 * @param completed only learners who completed (true) or did not complete (false) those labs; null: all
 * @param since only learners active since this instant; null: all
 */
public record ResultQuery(int page, int size, List<String> labs, Boolean completed, Instant since) {

    public static final int MAX_SIZE = 200;

    public static ResultQuery parse(Cohort cohort, String page, String size, String lab, String completed, String since) {
        int p = integer("page", page, 0, 0, Integer.MAX_VALUE);
        int s = integer("size", size, 50, 1, MAX_SIZE);
        List<String> labs = cohort.labIds();
        if (lab != null && !lab.isBlank()) {
            if (!cohort.hasLab(lab)) {
                throw invalid("lab", "The cohort has no lab '" + lab + "'; its labs are " + cohort.labIds() + ".");
            }
            labs = List.of(lab);
        }
        Boolean done = null;
        if (completed != null && !completed.isBlank()) {
            if (!completed.equals("true") && !completed.equals("false")) {
                throw invalid("completed", "completed must be true or false (it was '" + completed + "').");
            }
            done = Boolean.valueOf(completed);
        }
        return new ResultQuery(p, s, labs, done, instant(since));
    }

    private static int integer(String name, String value, int fallback, int min, int max) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw invalid(name, name + " must be a whole number from " + min + (max == Integer.MAX_VALUE ? " up" : " to " + max)
                + " (it was '" + value + "').");
    }

    private static Instant instant(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value.strip());
        } catch (DateTimeParseException notAnInstant) {
            try {
                return LocalDate.parse(value.strip()).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException notADate) {
                throw invalid("since", "since must be an ISO-8601 instant such as 2025-03-01T09:00:00Z or a date such as "
                        + "2025-03-01 (it was '" + value + "').");
            }
        }
    }

    private static ApiProblem invalid(String parameter, String detail) {
        ApiProblem problem = ApiProblem.badRequest("invalid-query", "Invalid query parameter", detail);
        problem.getBody().setProperty("parameter", parameter);
        return problem;
    }
}

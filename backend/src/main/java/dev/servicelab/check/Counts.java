package dev.servicelab.check;

import dev.servicelab.lab.CheckSpec;

/** A check's "count" (exactly) or "min" (at least), in words. */
record Counts(Integer exact, Integer min) {

    static Counts of(CheckSpec spec) {
        return new Counts(spec.integer("count").orElse(null), spec.integer("min").orElse(spec.integer("count").isPresent() ? null : 1));
    }

    boolean met(long value) {
        return exact != null ? value == exact : value >= min;
    }

    String expected() {
        return exact != null ? "exactly " + exact : "at least " + min;
    }
}

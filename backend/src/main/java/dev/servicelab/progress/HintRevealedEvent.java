package dev.servicelab.progress;

/** Published when a learner reveals a hint: they are working on the lab. */
public record HintRevealedEvent(String username, String labId, String stepId) {
}

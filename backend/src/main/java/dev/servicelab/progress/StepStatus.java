package dev.servicelab.progress;

public enum StepStatus {
    NOT_STARTED, IN_PROGRESS, PASSED
}

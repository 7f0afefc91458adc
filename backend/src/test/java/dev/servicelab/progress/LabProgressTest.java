package dev.servicelab.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which step's setup a pass brings in: the next one, once, and never over the learner's work. */
class LabProgressTest {

    private static final Instant T = Instant.parse("2026-11-30T10:00:00Z");

    private static LabProgress.StepProgress step(String id, StepStatus status) {
        return new LabProgress.StepProgress(id, status, status == StepStatus.NOT_STARTED ? null : T,
                status == StepStatus.PASSED ? T : null, 0);
    }

    private static LabProgress lab(LabProgress.StepProgress... steps) {
        return new LabProgress("lab", T, null, List.of(steps));
    }

    @Test
    void aFirstPassSetsUpTheStepAfterIt() {
        LabProgress before = lab(step("one", StepStatus.IN_PROGRESS), step("two", StepStatus.NOT_STARTED));
        assertThat(before.stepToSetUpAfterPassing("one")).contains("two");
    }

    @Test
    void aRecheckOfAPassedStepSetsUpNothing() {
        LabProgress before = lab(step("one", StepStatus.PASSED), step("two", StepStatus.NOT_STARTED),
                step("three", StepStatus.NOT_STARTED));
        assertThat(before.stepToSetUpAfterPassing("one")).isEmpty();
    }

    @Test
    void aStepPassedOutOfOrderNeverResetsAnEarlierOrAStartedStep() {
        LabProgress skipped = lab(step("one", StepStatus.PASSED), step("two", StepStatus.IN_PROGRESS),
                step("three", StepStatus.NOT_STARTED), step("four", StepStatus.NOT_STARTED));
        assertThat(skipped.stepToSetUpAfterPassing("three")).contains("four");
        LabProgress nextStarted = lab(step("one", StepStatus.PASSED), step("two", StepStatus.IN_PROGRESS),
                step("three", StepStatus.IN_PROGRESS));
        assertThat(nextStarted.stepToSetUpAfterPassing("two")).isEmpty();
    }

    @Test
    void theLastStepHasNothingAfterIt() {
        assertThat(lab(step("one", StepStatus.IN_PROGRESS)).stepToSetUpAfterPassing("one")).isEmpty();
    }
}

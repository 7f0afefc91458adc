package dev.servicelab.check;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Failure messages say what curl's ending means in the labs' terms, and quote scripts briefly. */
class CheckMessagesTest {

    @Test
    void aRefusalNamesAServiceWithoutEndpointsNotOnlyAnEmptyPort() {
        assertThat(Shell.curlFailure(7, "")).contains("refused").contains("no ready endpoints");
    }

    @Test
    void aTimeoutNamesDroppedPacketsNotMissingPods() {
        assertThat(Shell.curlFailure(28, "")).contains("timed out").contains("dropped").doesNotContain("Ready pods");
    }

    @Test
    void theEndingAloneCarriesNoQuestionForMessagesThatExpectedIt() {
        assertThat(Shell.curlEnding(28, "")).isEqualTo("it timed out");
        assertThat(Shell.curlEnding(7, "")).isEqualTo("the connection was refused");
    }

    @Test
    void aMultiLineScriptIsQuotedByItsFirstLine() {
        assertThat(ExecCheck.brief("old=$(cat /tmp/x)\nnew=$(kubectl get pod)\necho done\n")).isEqualTo("old=$(cat /tmp/x) …");
        assertThat(ExecCheck.brief("curl -s -m 3 http://db:5432/")).isEqualTo("curl -s -m 3 http://db:5432/");
    }
}

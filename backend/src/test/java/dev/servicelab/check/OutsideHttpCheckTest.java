package dev.servicelab.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import org.junit.jupiter.api.Test;

/** outsideHttp says what answered, or how the connection failed. */
class OutsideHttpCheckTest {

    @Test
    void theExpectedStatusAndBodyPass() {
        assertThat(OutsideHttpCheck.verdict("http://172.18.0.2:8088/", 200, "pod: kiosk-1\n", null, "kiosk-").passed()).isTrue();
    }

    @Test
    void anAnswerFromSomeoneElseFailsAndQuotesIt() {
        Outcome outcome = OutsideHttpCheck.verdict("http://172.18.0.2:8088/", 200, "pod: impostor-1\n", null, "kiosk-");
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.message()).contains("not from \"kiosk-\"").contains("impostor-1");
    }

    @Test
    void aRefusalAndATimeoutAreToldApart() {
        assertThat(OutsideHttpCheck.failure(new ConnectException("Connection refused"))).contains("refused").contains("no Service claims it");
        assertThat(OutsideHttpCheck.failure(new HttpConnectTimeoutException("timed out"))).contains("dropped");
    }
}

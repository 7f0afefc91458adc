package dev.servicelab.grading;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The signature covers the timestamp and the body, as the API description tells receivers. */
class WebhookSignatureTest {

    private static final byte[] BODY = "{\"id\":\"lab.completed:1:2:clusterip\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void itIsTheHmacOfTimestampDotBody() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("whsec_test".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] signed = ("1767261600." + new String(BODY, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        assertThat(WebhookSignature.of("whsec_test", 1767261600L, BODY)).isEqualTo("sha256=" + HexFormat.of().formatHex(mac.doFinal(signed)));
    }

    @Test
    void anotherTimestampGivesAnotherSignature() {
        assertThat(WebhookSignature.of("whsec_test", 1767261600L, BODY)).isNotEqualTo(WebhookSignature.of("whsec_test", 1767261601L, BODY));
    }
}

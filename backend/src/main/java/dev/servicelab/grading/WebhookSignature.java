package dev.servicelab.grading;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code X-ServiceLab-Signature} value: {@code sha256=} and the hex HMAC-SHA256, under the
 * webhook's secret, of the {@code X-ServiceLab-Timestamp} value, a dot, and the body bytes. Signing
 * the time with the body lets a receiver refuse an old delivery replayed by whoever recorded it.
 */
public final class WebhookSignature {

    public static final String HEADER = "X-ServiceLab-Signature";
    public static final String TIMESTAMP_HEADER = "X-ServiceLab-Timestamp";

    private WebhookSignature() {
    }

    public static String of(String secret, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

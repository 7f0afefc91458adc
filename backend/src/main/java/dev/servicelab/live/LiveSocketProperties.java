package dev.servicelab.live;

import jakarta.validation.constraints.Min;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings shared by every live socket (terminal, traffic view).
 *
 * @param allowedOrigins origins besides the platform's own that may open a live socket (patterns
 *     as Spring's {@code setAllowedOriginPatterns} takes them); empty means same origin only
 * @param maxThreads the most threads all live sockets together may hold (a terminal holds three, a
 *     traffic view one); a socket over it is refused with a message
 */
@Validated
@ConfigurationProperties("servicelab.sockets")
public record LiveSocketProperties(@DefaultValue("") List<String> allowedOrigins,
        @DefaultValue("1024") @Min(8) int maxThreads) {
}

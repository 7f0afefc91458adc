package dev.servicelab.live;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings shared by every live socket (terminal, traffic view).
 *
 * @param allowedOrigins origins besides the platform's own that may open a live socket (patterns
 *     as Spring's {@code setAllowedOriginPatterns} takes them); empty means same origin only
 */
@ConfigurationProperties("servicelab.sockets")
public record LiveSocketProperties(@DefaultValue("") List<String> allowedOrigins) {
}

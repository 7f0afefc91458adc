package dev.servicelab.security;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * What one account may hold at once, and how large one request may be, so that one learner (or a
 * script with their password) cannot take a server's threads or memory from everyone else.
 *
 * @param maxSocketsPerAccount live sockets (terminal tabs, traffic views) one account may have open
 *     on this server; the next is refused with a message
 * @param maxRequestBody largest API request body; larger ones are refused with 413
 * @param maxSocketMessage largest message a browser may send on a live socket (a paste into the
 *     terminal, for instance); a larger one closes that socket (1009), and the page reconnects
 */
@Validated
@ConfigurationProperties("servicelab.limits")
public record LimitsProperties(
        @DefaultValue("16") @Min(1) int maxSocketsPerAccount,
        @DefaultValue("1MB") DataSize maxRequestBody,
        @DefaultValue("64KB") DataSize maxSocketMessage) {
}

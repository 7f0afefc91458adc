package dev.servicelab.check;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param maxConcurrentPerLab how many checks one account may run at once in one lab; more are refused (429)
 * @param probeThreads how many probes (requests sent from inside learners' clusters) all running checks may have in
 *        flight at once; when all are busy a check runs its next probe itself, one after the other
 */
@Validated
@ConfigurationProperties("servicelab.checks")
public record CheckProperties(@DefaultValue("1") @Min(1) int maxConcurrentPerLab, @DefaultValue("16") @Min(1) int probeThreads) {
}

package dev.servicelab.check;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param maxConcurrentPerLab how many checks one account may run at once in one lab; more are refused (429)
 */
@Validated
@ConfigurationProperties("servicelab.checks")
public record CheckProperties(@DefaultValue("1") @Min(1) int maxConcurrentPerLab) {
}

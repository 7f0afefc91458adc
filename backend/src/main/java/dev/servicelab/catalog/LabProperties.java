package dev.servicelab.catalog;

import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** @param directory the lab catalog folder, read at start (relative paths from the working directory) */
@Validated
@ConfigurationProperties("servicelab.labs")
public record LabProperties(@DefaultValue("labs/catalog") @NotNull Path directory) {
}

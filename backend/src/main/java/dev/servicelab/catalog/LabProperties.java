package dev.servicelab.catalog;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** @param directory the lab catalog folder, read at start (relative paths from the working directory) */
@ConfigurationProperties("servicelab.labs")
public record LabProperties(@DefaultValue("labs/catalog") Path directory) {
}

package dev.servicelab.terminal;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * @param idleTimeout a shell with no input and no one watching is detached after this (its tmux
 *                    session lives on in the pod, so the learner finds it again)
 * @param replayBuffer how much recent output each shell keeps for reconnecting clients
 * @param maxOutputRate how fast one shell's output is read; a flood (yes, cat of a big file) is slowed
 *                      down at the source rather than piling up in the server
 * @param maxTabs terminal tabs per learner and lab
 */
@Validated
@ConfigurationProperties("servicelab.terminal")
public record TerminalProperties(
        @DefaultValue("30m") Duration idleTimeout,
        @DefaultValue("1MB") DataSize replayBuffer,
        @DefaultValue("4MB") DataSize maxOutputRate,
        @DefaultValue("4") @Min(1) @Max(99) int maxTabs) {
}

package dev.servicelab.security;

import java.time.Instant;

public record Account(long id, String username, String displayName, Role role, boolean enabled, Instant createdAt) {
}

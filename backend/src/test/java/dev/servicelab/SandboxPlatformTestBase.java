package dev.servicelab;

import org.springframework.test.context.TestPropertySource;

/**
 * The whole platform with sandboxes on (the Docker provisioner), for integration tests (*IT) of what
 * happens in learners' clusters. Skipped, with a message naming the class, where no Docker engine
 * answers. Its Spring context is separate from {@link PlatformTestBase}'s and shares its embedded
 * PostgreSQL.
 */
@RequiresDocker
@TestPropertySource(properties = "servicelab.sandbox.enabled=true")
public abstract class SandboxPlatformTestBase extends PlatformTestBase {
}

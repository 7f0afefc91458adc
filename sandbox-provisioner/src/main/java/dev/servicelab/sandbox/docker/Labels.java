package dev.servicelab.sandbox.docker;

/** The Docker labels that make sandboxes findable again after the platform restarts. */
final class Labels {
    static final String PLATFORM = "dev.servicelab.platform";
    static final String SANDBOX = "dev.servicelab.sandbox";
    static final String OWNER = "dev.servicelab.owner";
    static final String LAB = "dev.servicelab.lab";
    static final String ROLE = "dev.servicelab.role";
    static final String CREATED = "dev.servicelab.created";

    private Labels() {
    }
}

package dev.servicelab.provisioner;

/**
 * The stages of bringing a sandbox up, in order, as a page shows them on a progress bar. Each knows
 * its rough share of the whole wait so the bar moves at an honest pace.
 */
public enum SandboxPhase {
    QUEUED("Waiting for a free slot", 0),
    WAKING("Waking your cluster from where you left it", 2),
    STARTING_CONTAINER("Starting the node", 5),
    LOADING_IMAGES("Loading images and starting Kubernetes", 15),
    API_UP("Kubernetes API is up", 55),
    NODE_READY("Node is ready", 75),
    DNS_READY("Cluster DNS is ready", 88),
    LAB_SETUP("Preparing the lab", 94),
    READY("Ready", 100),
    FAILED("Failed", 100);

    private final String description;
    private final int percent;

    SandboxPhase(String description, int percent) {
        this.description = description;
        this.percent = percent;
    }

    public String description() {
        return description;
    }

    public int percent() {
        return percent;
    }
}

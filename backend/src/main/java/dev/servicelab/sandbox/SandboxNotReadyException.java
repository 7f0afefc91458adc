package dev.servicelab.sandbox;

import dev.servicelab.problem.ApiException;
import org.springframework.http.HttpStatus;

/** The one answer to "use my cluster" while there is no ready one: what to do next is in the message. */
public class SandboxNotReadyException extends ApiException {

    public SandboxNotReadyException(String detail) {
        super(HttpStatus.CONFLICT, "sandbox-not-ready", "No ready sandbox", detail);
    }

    /** The usual case: the learner has not started it, it is still starting, or it stopped. */
    public static SandboxNotReadyException forLab() {
        return new SandboxNotReadyException("Your cluster for this lab is not ready. Start it on the lab page (or wait "
                + "until it is ready), then try again.");
    }
}

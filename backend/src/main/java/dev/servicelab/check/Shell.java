package dev.servicelab.check;

/** Quoting for the probe scripts. */
final class Shell {

    private Shell() {
    }

    /** How a probe says a name did not resolve; the engine waits for DNS caches before taking it as final. */
    static final String UNRESOLVED = "the name does not resolve";

    static String quote(String text) {
        return "'" + text.replace("'", "'\"'\"'") + "'";
    }

    /** What curl's exit code means, for a learner, with what to look at next. */
    static String curlFailure(int code, String stderr) {
        return switch (code) {
            case 7 -> curlEnding(code, stderr) + " (no process listens on that port, or kube-proxy rejected it because the "
                    + "Service has no ready endpoints: check the endpoints, then port and targetPort)";
            case 28 -> curlEnding(code, stderr) + " (no answer came back: packets dropped on the way, as a Local traffic policy "
                    + "does on a node without a local endpoint, or a pod that accepts but never answers)";
            default -> curlEnding(code, stderr);
        };
    }

    /** How curl ended, without advice: for messages where not connecting is the expected outcome. */
    static String curlEnding(int code, String stderr) {
        return switch (code) {
            case 6 -> UNRESOLVED + " (no such Service or namespace?)";
            case 7 -> "the connection was refused";
            case 28 -> "it timed out";
            case 52 -> "the server closed the connection without answering";
            case 56 -> "the connection was reset";
            default -> "curl failed (exit " + code + "): " + stderr.strip();
        };
    }
}

package dev.servicelab.check;

/** Quoting for the probe scripts. */
final class Shell {

    private Shell() {
    }

    static String quote(String text) {
        return "'" + text.replace("'", "'\"'\"'") + "'";
    }

    /** What curl's exit code means, for a learner. */
    static String curlFailure(int code, String stderr) {
        return switch (code) {
            case 6 -> "the name does not resolve (no such Service or namespace?)";
            case 7 -> "the connection was refused (nothing listens on that port: check port and targetPort)";
            case 28 -> "it timed out (no endpoint answered: are there Ready pods behind the Service?)";
            case 52 -> "the server closed the connection without answering";
            case 56 -> "the connection was reset";
            default -> "curl failed (exit " + code + "): " + stderr.strip();
        };
    }
}

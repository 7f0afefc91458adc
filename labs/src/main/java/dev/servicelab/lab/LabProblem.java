package dev.servicelab.lab;

import java.nio.file.Path;

/** Why a lab was rejected: the file, the line and column (1-based, 0 when unknown), and what is wrong. */
public record LabProblem(Path file, int line, int column, String message) {

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ":" + column + ": " + message : file + ": " + message;
    }
}

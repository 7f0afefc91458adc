/**
 * The in-browser terminal: shells in the learner's cluster, their output rings, the terminal socket
 * (a {@code live} socket) and the instructor's read-only watch page. May use {@code live},
 * {@code sandbox}, {@code jobs} and {@code security}.
 */
package dev.servicelab.terminal;

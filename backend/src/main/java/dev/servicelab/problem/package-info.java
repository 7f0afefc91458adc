/**
 * The problem vocabulary every feature may use: {@link dev.servicelab.problem.ApiException} and its
 * common kinds (not found, conflict, too many requests), and {@link dev.servicelab.problem.Problems},
 * which builds RFC 9457 problem details with stable {@code /problems/{slug}} types and writes them
 * from the security filters. Depends on Spring only: features import it, it imports no feature.
 */
package dev.servicelab.problem;

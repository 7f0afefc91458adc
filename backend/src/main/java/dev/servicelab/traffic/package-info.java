/**
 * The traffic view: the cluster's Services and flows as a live picture, and "send N requests", whose
 * recent runs and the flows the nodes saw of them it keeps for {@code flows} checks.
 * May use {@code live}, {@code sandbox}, {@code jobs}, {@code security} and {@code problem}.
 */
package dev.servicelab.traffic;

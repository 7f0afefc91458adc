/**
 * The server's side of sandboxes (the provisioner module's {@code dev.servicelab.provisioner} makes
 * them): the handle that
 * turns (account, lab) into the learner's ready cluster with one Kubernetes client, exec helpers,
 * the ledger (the only code that touches the {@code sandbox} table), snapshots, tunnels, the
 * sandbox API and its problems. May use {@code lab} (the format) and {@code catalog}, {@code progress} (activity events),
 * {@code jobs}, {@code security} and {@code problem}.
 */
package dev.servicelab.sandbox;

/**
 * Checking a learner's step against their own cluster: the check engine, one class per check type,
 * the check API and attempts. May use {@code lab} (the format) and {@code catalog} (the steps' specifications), {@code sandbox} (the
 * learner's cluster and exec helpers), {@code traffic} (the traffic panel's recent runs), {@code progress}, {@code learning} (setting up the next
 * step), {@code security} and {@code problem}.
 */
package dev.servicelab.check;

/**
 * The learner's lab page and lab setup (preparing a step's resources in their cluster, replaying
 * passed steps on a fresh one, or the steps before a chosen one when the learner starts over). May use
 * {@code lab} (the format) and {@code catalog}, {@code progress}, {@code sandbox}, {@code traffic} (a
 * solution's {@code send-traffic}, as the traffic panel sends), {@code problem} and {@code security}.
 */
package dev.servicelab.learning;

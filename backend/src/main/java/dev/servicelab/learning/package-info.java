/**
 * The learner's lab page and lab setup (preparing a step's resources in their cluster, replaying
 * passed steps on a fresh one, or the steps before a chosen one when the learner starts over). May use
 * {@code lab} (the format) and {@code catalog}, {@code progress}, {@code sandbox}, {@code problem} and
 * {@code security}.
 */
package dev.servicelab.learning;

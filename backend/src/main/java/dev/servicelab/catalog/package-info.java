/**
 * The lab catalog as the server serves it: loading and reloading the labs (the format and its loader are the labs
 * module's {@code dev.servicelab.lab}), each learner's own steps of a lab (its draw of a lab's fault pool), the
 * catalog API, Markdown rendering. Uses only {@code problem} and {@code security}: every feature may read the catalog.
 */
package dev.servicelab.catalog;

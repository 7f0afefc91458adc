/**
 * The lab catalog as the server serves it: loading and reloading the labs (the format and its loader are the labs
 * module's {@code dev.servicelab.lab}), the catalog API, Markdown rendering. Uses only {@code problem}:
 * every feature may read the catalog.
 */
package dev.servicelab.catalog;

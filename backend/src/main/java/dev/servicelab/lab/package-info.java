/**
 * The lab catalog as the server serves it: loading and reloading the labs (format and loader in the
 * labs module, same package name), the catalog API, Markdown rendering. Uses only {@code problem}:
 * every feature may read the catalog.
 */
package dev.servicelab.lab;

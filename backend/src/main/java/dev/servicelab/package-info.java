/**
 * The ServiceLab server: features by package. Shared packages every feature may use:
 * {@code problem} (API errors), {@code security} (who is who, who may do what, per-account limits),
 * {@code jobs} and {@code events}. {@code web} is the generic API layer nobody imports.
 * {@code architecture.ArchitectureTest} holds the rules stated in each package-info.
 */
package dev.servicelab;

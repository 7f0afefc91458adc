/**
 * The generic API layer: Spring MVC's own errors and every {@code ApiException} as problem details,
 * and the OpenAPI description. Knows no feature, and nothing imports it (features map their own
 * exceptions; the problem vocabulary is in {@code problem}).
 */
package dev.servicelab.web;

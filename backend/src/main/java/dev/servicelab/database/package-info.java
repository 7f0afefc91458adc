/**
 * The embedded PostgreSQL, started when no external database is configured. Uses only the
 * {@code db} module (migrations and launcher).
 */
package dev.servicelab.database;

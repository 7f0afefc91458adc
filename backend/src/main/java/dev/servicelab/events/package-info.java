/**
 * What every replica hears: cluster-wide events over PostgreSQL. Depends on no feature; features
 * publish and listen through it.
 */
package dev.servicelab.events;

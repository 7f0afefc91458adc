/**
 * The frame of the live sockets (terminal, traffic view): one handshake with access check and
 * per-account quota, one refusal, a bounded per-client sender, one allowed-origins setting, and
 * the reconnect-on-shutdown tracking. Features extend {@link dev.servicelab.live.LiveSocketHandler};
 * this package uses {@code security} (access, quota) and {@code account}, never a feature.
 */
package dev.servicelab.live;

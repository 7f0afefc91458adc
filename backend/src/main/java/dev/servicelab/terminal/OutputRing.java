package dev.servicelab.terminal;

import java.util.UUID;

/**
 * The recent output of a shell, addressed by absolute byte offset (the sequence number clients
 * acknowledge), in a fixed-size ring: memory stays bounded however much a command prints.
 *
 * <p>Offsets count the bytes of this one stream, from this replica's attach to the tmux session.
 * Another replica, or a later shell on this one, attaches anew and counts from zero, so the ring
 * has an identity ({@link #stream()}): a client resumes from its offset only in the same stream.
 */
final class OutputRing {

    /** Bytes from {@code from} up to the end, or a gap notice if the ring no longer holds them. */
    record Slice(long from, long to, byte[] bytes, boolean gap) {
    }

    private final byte[] ring;
    private final String stream = UUID.randomUUID().toString();
    private long end;

    OutputRing(int capacity) {
        this.ring = new byte[capacity];
    }

    /** What the sequence numbers of this ring belong to. */
    String stream() {
        return stream;
    }

    /**
     * Where a client that has seen this stream up to {@code lastSeen} goes on: there, if it is an
     * offset of this stream; otherwise (a new page, or offsets of another replica's or an earlier
     * shell's stream) from the last {@code freshReplay} bytes, which start with tmux's redraw of the
     * screen when they are this stream's beginning. A client that names no stream (a page from
     * before streams had names) is taken at its word.
     */
    synchronized long resumeFrom(long lastSeen, String clientStream, long freshReplay) {
        boolean ours = clientStream == null || clientStream.isEmpty() || stream.equals(clientStream);
        return ours && lastSeen >= 0 && lastSeen <= end ? lastSeen : Math.max(0, end - freshReplay);
    }

    synchronized void append(byte[] data, int length) {
        int offset = 0;
        if (length > ring.length) {
            offset = length - ring.length;
        }
        for (int i = offset; i < length; i++) {
            ring[(int) ((end + i) % ring.length)] = data[i];
        }
        end += length;
        notifyAll();
    }

    synchronized long end() {
        return end;
    }

    /** At most {@code max} bytes starting at {@code from}; a gap when {@code from} has been overwritten. */
    synchronized Slice read(long from, int max) {
        long start = Math.max(from, end - ring.length);
        boolean gap = start > from;
        int length = (int) Math.min(max, end - start);
        byte[] out = new byte[Math.max(0, length)];
        for (int i = 0; i < length; i++) {
            out[i] = ring[(int) ((start + i) % ring.length)];
        }
        return new Slice(start, start + length, out, gap);
    }

    /** Waits until there is output beyond {@code from} (or the timeout passes). */
    synchronized void awaitBeyond(long from, long millis) throws InterruptedException {
        if (end <= from) {
            wait(millis);
        }
    }
}

package dev.servicelab.terminal;

/**
 * The recent output of a shell, addressed by absolute byte offset (the sequence number clients
 * acknowledge), in a fixed-size ring: memory stays bounded however much a command prints.
 */
final class OutputRing {

    /** Bytes from {@code from} up to the end, or a gap notice if the ring no longer holds them. */
    record Slice(long from, long to, byte[] bytes, boolean gap) {
    }

    private final byte[] ring;
    private long end;

    OutputRing(int capacity) {
        this.ring = new byte[capacity];
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

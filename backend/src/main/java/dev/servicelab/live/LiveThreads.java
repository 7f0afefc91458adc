package dev.servicelab.live;

import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * The threads behind live sockets (each client's sender, a terminal's output pump and its shell's
 * reader), all from one bounded pool. They block on a socket or a stream by design; the per-account
 * socket quota keeps one learner's share small, and this bound keeps the sum of everyone's from
 * exhausting the server: a socket over it is refused with a message, not served half-way.
 */
@Component
public class LiveThreads implements AutoCloseable {

    /** Every live thread is taken: the socket is refused with this message. */
    public static final class Busy extends RuntimeException {
        Busy(int max) {
            super("The server is serving as many live connections as it is configured for (" + max
                    + " threads). Close a terminal or traffic tab you do not use, or try again in a minute.");
        }
    }

    private final ThreadPoolExecutor pool;
    private final int max;

    LiveThreads(LiveSocketProperties properties) {
        this.max = properties.maxThreads();
        AtomicInteger count = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(0, max, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "live-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Runs the task on a thread of its own, named for what it serves while it runs. */
    public Future<?> start(String name, Runnable task) {
        try {
            return pool.submit(() -> {
                Thread thread = Thread.currentThread();
                String pooled = thread.getName();
                thread.setName(name);
                try {
                    task.run();
                } finally {
                    thread.setName(pooled);
                }
            });
        } catch (RejectedExecutionException e) {
            throw new Busy(max);
        }
    }

    /** Threads serving sockets right now. */
    public int active() {
        return pool.getActiveCount();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}

package dev.servicelab.provisioner.flows;

import dev.servicelab.provisioner.SandboxNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one node's flow stream ({@code GET http://NODE:10290/flows}) on a thread of its own and
 * hands each line to a listener, reconnecting after a failure. The token is read again on every
 * connect, since a restarted node writes a new one.
 */
public final class FlowStream implements AutoCloseable {

    /** Port of the kit's flow observer. */
    public static final int PORT = 10290;
    /** Where the node supervisor writes the stream's token. */
    public static final String TOKEN_FILE = "/var/lib/servicelab/flows-token";

    /** What the reader reports. */
    public interface Listener {
        void event(SandboxNode node, FlowEvent event);

        /** The stream connected (true) or broke (false, with why). */
        default void connection(SandboxNode node, boolean up, String detail) {
        }
    }

    private static final Logger log = LoggerFactory.getLogger(FlowStream.class);

    private final SandboxNode node;
    private final int port;
    private final Function<SandboxNode, String> token;
    private final Listener listener;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Socket socket;

    /** Starts reading; {@code token} reads the node's token file (as the platform, e.g. with docker cp). */
    public FlowStream(SandboxNode node, int port, Function<SandboxNode, String> token, Listener listener) {
        this.node = node;
        this.port = port;
        this.token = token;
        this.listener = listener;
        this.thread = new Thread(this::loop, "flows-" + node.name());
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        long backoff = 500;
        while (!closed) {
            // HTTP/1.0 by hand: the observer then streams without chunking until it closes, and closing
            // the socket is all it takes to stop a blocked read.
            try (Socket s = new Socket()) {
                socket = s;
                String secret = token.apply(node).trim();
                s.connect(new InetSocketAddress(node.address(), port), 3000);
                s.setSoTimeout(5000); // the observer sends stats every second: silence means it is gone
                s.getOutputStream().write(("GET /flows HTTP/1.0\r\nHost: " + node.address() + ":" + port
                        + "\r\nAuthorization: Bearer " + secret + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                BufferedReader lines = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8), 64 * 1024);
                String status = lines.readLine();
                if (status == null || !status.matches("HTTP/1\\.\\d 200.*")) {
                    throw new IOException("the flow observer answered " + status);
                }
                String header;
                while ((header = lines.readLine()) != null && !header.isEmpty()) {
                    // skip headers
                }
                listener.connection(node, true, "connected");
                backoff = 500;
                String line;
                while (!closed && (line = lines.readLine()) != null) {
                    FlowEvent event = FlowEvent.parse(line);
                    if (event != null) {
                        listener.event(node, event);
                    }
                }
                if (!closed) {
                    listener.connection(node, false, "the stream ended");
                }
            } catch (Exception e) {
                if (closed) {
                    return;
                }
                log.debug("Flow stream of {} broke: {}", node.name(), e.toString());
                listener.connection(node, false, String.valueOf(e.getMessage()));
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            backoff = Math.min(backoff * 2, 5000);
        }
    }

    @Override
    public void close() {
        closed = true;
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        thread.interrupt();
    }
}

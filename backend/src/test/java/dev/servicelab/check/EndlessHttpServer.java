package dev.servicelab.check;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A local HTTP server whose answer never ends: status line, headers, then bytes until the client hangs up. */
public final class EndlessHttpServer implements AutoCloseable {

    private final ServerSocket server;

    public EndlessHttpServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::serve, "endless-http");
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    private void serve() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread writer = new Thread(() -> answer(socket), "endless-http-answer");
                writer.setDaemon(true);
                writer.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void answer(Socket socket) {
        byte[] chunk = new byte[8192];
        Arrays.fill(chunk, (byte) 'y');
        try (socket; OutputStream out = socket.getOutputStream()) {
            out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            while (true) {
                out.write(chunk);
            }
        } catch (IOException e) {
            // the client hung up
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

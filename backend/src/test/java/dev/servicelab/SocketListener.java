package dev.servicelab;

import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A test's ear on a WebSocket: the first text the server sent, and the status it closed with. */
public final class SocketListener implements WebSocket.Listener {

    public final CompletableFuture<String> firstText = new CompletableFuture<>();
    public final CompletableFuture<Integer> closed = new CompletableFuture<>();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        firstText.complete(data.toString());
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }
}

package dev.servicelab.check;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * An HTTP response body read up to a size cap: past it the subscription is cancelled (the
 * connection dropped) and the body says it was truncated, so an endless answer costs at most the
 * cap in memory.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<BoundedBody.Body> {

    /** The first bytes of a body, and whether there were more. */
    record Body(String text, boolean truncated) {
    }

    private final int cap;
    private final byte[] kept;
    private int size;
    private final CompletableFuture<Body> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    BoundedBody(int cap) {
        this.cap = cap;
        this.kept = new byte[cap];
    }

    @Override
    public CompletionStage<Body> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        for (ByteBuffer buffer : buffers) {
            int take = Math.min(buffer.remaining(), cap - size);
            buffer.get(kept, size, take);
            size += take;
            if (buffer.hasRemaining()) {
                subscription.cancel();
                result.complete(new Body(text(), true));
                return;
            }
        }
        subscription.request(1);
    }

    @Override
    public void onError(Throwable throwable) {
        result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        result.complete(new Body(text(), false));
    }

    private String text() {
        return new String(kept, 0, size, StandardCharsets.UTF_8);
    }
}

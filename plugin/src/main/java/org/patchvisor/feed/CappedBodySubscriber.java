package org.patchvisor.feed;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Collects a response body but stops, and cancels the stream, as soon as it would pass the cap: a hostile or
 * broken server cannot make the client buffer more than the signed index allows. A stream that breaks midway
 * ends in {@link TruncatedDownloadException}, so a short body never looks like a complete one.
 */
final class CappedBodySubscriber implements BodySubscriber<byte[]> {
    private final URI uri;
    private final long maxBytes;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private Flow.Subscription subscription;

    CappedBodySubscriber(URI uri, long maxBytes, long declaredLength) {
        this.uri = uri;
        this.maxBytes = maxBytes;
        if (declaredLength > maxBytes) {
            result.completeExceptionally(tooLarge("announces " + declaredLength + " bytes"));
        }
    }

    private DownloadTooLargeException tooLarge(String what) {
        return new DownloadTooLargeException(uri + " " + what + ", more than the allowed " + maxBytes);
    }

    synchronized int received() {
        return buffer.size();
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        if (result.isDone()) {
            subscription.cancel();
        } else {
            subscription.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer item : items) {
            if (buffer.size() + (long) item.remaining() > maxBytes) {
                subscription.cancel();
                result.completeExceptionally(tooLarge("sent more than " + maxBytes + " bytes"));
                return;
            }
            byte[] chunk = new byte[item.remaining()];
            item.get(chunk);
            buffer.write(chunk, 0, chunk.length);
        }
    }

    @Override
    public void onError(Throwable error) {
        result.completeExceptionally(new TruncatedDownloadException(
                uri + " broke off after " + buffer.size() + " bytes: " + error.getMessage(), error));
    }

    @Override
    public void onComplete() {
        result.complete(buffer.toByteArray());
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return result;
    }
}

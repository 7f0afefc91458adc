package dev.servicelab.live;

import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/** The per-client sender: in order, bounded, and it gives up on a client too slow to read. */
class LiveSenderTest {

    final WebSocketSession session = mock(WebSocketSession.class);
    final AtomicBoolean open = new AtomicBoolean(true);
    final List<Object> sent = new CopyOnWriteArrayList<>();
    final CountDownLatch browserReads = new CountDownLatch(1);
    final LiveThreads threads = new LiveThreads(new LiveSocketProperties(List.of(), 8));
    LiveSender sender;

    LiveSenderTest() throws Exception {
        when(session.getId()).thenReturn("s1");
        when(session.isOpen()).thenAnswer(i -> open.get());
        doAnswer(i -> {
            browserReads.await();
            sent.add(((WebSocketMessage<?>) i.getArgument(0)).getPayload());
            return null;
        }).when(session).sendMessage(any());
        doAnswer(i -> {
            sent.add(i.getArgument(0));
            open.set(false);
            return null;
        }).when(session).close(any());
    }

    @AfterEach
    void stop() {
        browserReads.countDown();
        sender.stop();
        threads.close();
    }

    @Test
    void sendsInOrderThenClosesAfterWhatWasQueued() throws Exception {
        sender = new LiveSender(session, "test", 4, CloseStatus.SESSION_NOT_RELIABLE);
        sender.offer(new TextMessage("a"));
        sender.offer(new TextMessage("b"));
        sender.closeAfterSent(CloseStatus.NORMAL);
        sender.start(threads);
        browserReads.countDown();
        await().until(() -> !open.get());
        assertThat(sent).containsExactly("a", "b", CloseStatus.NORMAL);
    }

    @Test
    void aClientThatDoesNotReadIsDisconnectedInsteadOfQueueingWithoutBound() throws Exception {
        CloseStatus tooSlow = CloseStatus.SESSION_NOT_RELIABLE.withReason("reconnect");
        sender = new LiveSender(session, "test", 2, tooSlow);
        sender.start(threads);
        for (int i = 0; i < 10; i++) { // the first is taken by the (blocked) sending thread, two fill the queue
            sender.offer(new TextMessage("m" + i));
        }
        browserReads.countDown();
        await().until(() -> !open.get());
        verify(session).close(tooSlow);
        assertThat(sent.size()).isLessThanOrEqualTo(4);
    }

    @Test
    void aSocketOverTheServersThreadBoundIsRefusedWithWhatToDo() {
        sender = new LiveSender(session, "test", 2, CloseStatus.SESSION_NOT_RELIABLE);
        for (int i = 0; i < 8; i++) {
            threads.start("busy-" + i, () -> await().forever().until(() -> browserReads.getCount() == 0));
        }

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> sender.start(threads))
                .isInstanceOf(LiveThreads.Busy.class).hasMessageContaining("try again in a minute");
    }
}

package dev.servicelab.terminal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servicelab.PlatformTestBase;
import dev.servicelab.SocketListener;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Who may open which terminal: checked at the handshake and on the socket, before any shell opens. */
class TerminalAccessTest extends PlatformTestBase {

    /** What the server said before it closed the socket. */
    record Refusal(String message, int closeCode) {
    }

    private Refusal connect(String username, String query) throws Exception {
        return refusal(port, username, query);
    }

    /** Opens a terminal socket on the server at {@code port} and reads what it said before it closed. */
    static Refusal refusal(int port, String username, String query) throws Exception {
        SocketListener listener = new SocketListener();
        HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", basic(username))
                .buildAsync(URI.create("ws://localhost:" + port + "/ws/terminal?" + query), listener).get(10, TimeUnit.SECONDS);
        return new Refusal(listener.firstText.get(10, TimeUnit.SECONDS), listener.closed.get(10, TimeUnit.SECONDS));
    }

    private static String basic(String username) {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + LEARNER_PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aLearnerCannotOpenAnotherLearnersTerminal() throws Exception {
        String alice = newLearner();
        String bob = newLearner();
        Refusal refusal = connect(bob, "lab=clusterip&tab=1&learner=" + alice);
        assertThat(refusal.message()).contains("\"type\":\"error\"").contains("only open your own terminal");
        assertThat(refusal.closeCode()).isEqualTo(1008);
    }

    @Test
    void anInstructorCannotWatchALearnerOutsideTheirCohorts() throws Exception {
        String instructor = "instructor-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        accounts.create(instructor, "Ines Instructor", LEARNER_PASSWORD, dev.servicelab.security.Role.INSTRUCTOR);
        Refusal refusal = connect(instructor, "lab=clusterip&tab=1&learner=" + newLearner());
        assertThat(refusal.message()).contains("only the learners of your own cohorts");
        assertThat(refusal.closeCode()).isEqualTo(1008);
    }

    /** TerminalNotReadyIT covers a server with sandboxes where the learner has not started theirs. */
    @Test
    void aTerminalOnAServerWithoutSandboxesSaysWhoCanEnableThem() throws Exception {
        Refusal refusal = connect(newLearner(), "lab=clusterip&tab=1");
        assertThat(refusal.message()).contains("does not run sandboxes").contains("Ask its operator to enable them");
        assertThat(refusal.closeCode()).isEqualTo(1008);
    }

    @Test
    void aHandshakeFromAnotherSiteIsRefused() {
        String learner = newLearner();
        assertThatThrownBy(() -> HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", basic(learner)).header("Origin", "http://evil.example")
                .buildAsync(URI.create("ws://localhost:" + port + "/ws/terminal?lab=clusterip&tab=1"), new WebSocket.Listener() { })
                .join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(WebSocketHandshakeException.class);
    }

    @Test
    void aHandshakeWithoutSignInIsRefused() {
        assertThatThrownBy(() -> HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://localhost:" + port + "/ws/terminal?lab=clusterip&tab=1"), new WebSocket.Listener() { })
                .join())
                .hasCauseInstanceOf(WebSocketHandshakeException.class);
    }
}

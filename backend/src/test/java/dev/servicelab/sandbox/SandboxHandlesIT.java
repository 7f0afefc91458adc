package dev.servicelab.sandbox;

import dev.servicelab.provisioner.SandboxProvisioner;
import dev.servicelab.provisioner.SandboxRecord;
import dev.servicelab.provisioner.SandboxState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.servicelab.ApiClient;
import dev.servicelab.SandboxPlatformTestBase;
import dev.servicelab.security.Account;
import dev.servicelab.security.AccountRepository;
import dev.servicelab.terminal.TerminalClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * On a real sandbox: however many terminals, traffic views and tunnels use one sandbox, this server
 * holds one Kubernetes client for it; and when the sandbox ends (here, as another replica would end
 * it, in the database only) all of them end within one health interval and the client is closed.
 */
class SandboxHandlesIT extends SandboxPlatformTestBase {

    private static final String LAB = "clusterip";

    @Autowired
    SandboxService sandboxes;
    @Autowired
    SandboxHandles handles;
    @Autowired
    TunnelService tunnels;
    @Autowired
    JdbcSandboxLedger ledger;
    @Autowired
    SandboxProvisioner provisioner;
    @Autowired
    SandboxProperties properties;
    @Autowired
    AccountRepository accountRepository;

    @Test
    void oneClientServesEveryUseOfASandboxAndItsEndEndsThemAll() throws Exception {
        String user = newLearner();
        Account account = accountRepository.findByUsername(user).orElseThrow();
        ApiClient api = api(user, LEARNER_PASSWORD);
        api.post("/api/v1/labs/" + LAB + "/enrolment", "");
        sandboxes.acquire(account, LAB);
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                .until(() -> "READY".equals(sandboxes.view(account, LAB).state()));
        String sandboxId = sandboxes.view(account, LAB).sandboxId();
        // Preparing the lab for the learner already opened the sandbox's one client.
        int clients = handles.openClients();

        List<TerminalClient> terminals = new ArrayList<>();
        for (int tab = 1; tab <= 3; tab++) {
            TerminalClient terminal = TerminalClient.open(port, user, LEARNER_PASSWORD, LAB, tab, -1);
            assertThat(terminal.awaitStarted(Duration.ofSeconds(60))).as("the shell starts: %s", terminal.describe()).isTrue();
            terminal.type("echo tab-" + tab + "\r");
            assertThat(terminal.await("tab-" + tab, Duration.ofSeconds(30))).isTrue();
            terminals.add(terminal);
        }
        AtomicReference<String> trafficClosed = new AtomicReference<>();
        HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", basic(user))
                .buildAsync(URI.create("ws://localhost:" + port + "/ws/traffic?lab=" + LAB), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onClose(WebSocket socket, int status, String reason) {
                        trafficClosed.set(status + " " + reason);
                        return null;
                    }
                }).join();
        assertThat(api.post("/api/v1/labs/" + LAB + "/sandbox/tunnel", "").status()).isEqualTo(200);
        api.post("/api/v1/labs/" + LAB + "/steps/" + api.get("/api/v1/labs/" + LAB + "/progress").json().path("steps")
                .get(0).path("stepId").asString() + "/checks", "");

        assertThat(handles.openClients()).as("three shells, a traffic view, a tunnel and a check: no client more")
                .isEqualTo(clients);

        // Another replica ends it: only the shared database says so.
        SandboxRecord record = ledger.find(sandboxId).orElseThrow();
        ledger.save(record.with(SandboxState.DELETED, record.phase(), "Ended on request"));
        long ended = System.nanoTime();
        try {
            // Another replica's end is seen by the next sweep (every health interval); slack for a busy host.
            await().atMost(properties.healthInterval().multipliedBy(2).plusSeconds(2)).untilAsserted(() -> {
                assertThat(terminals).allSatisfy(t -> assertThat(t.exited || t.ended != null).isTrue());
                assertThat(trafficClosed.get()).isNotNull();
                assertThat(tunnels.running(sandboxId)).isFalse();
                assertThat(handles.openClients()).isEqualTo(clients - 1);
            });
            System.out.printf("sandbox end to terminals, traffic view and tunnel closed: %d ms%n",
                    (System.nanoTime() - ended) / 1_000_000);
        } finally {
            provisioner.delete(sandboxId);
        }
    }

    private static String basic(String user) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + LEARNER_PASSWORD).getBytes(StandardCharsets.UTF_8));
    }
}

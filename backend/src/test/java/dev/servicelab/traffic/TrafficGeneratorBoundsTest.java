package dev.servicelab.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servicelab.check.EndlessHttpServer;
import org.junit.jupiter.api.Test;

/** "Send N requests" reads a bounded part of each answer, so an endless body cannot hold a worker. */
class TrafficGeneratorBoundsTest {

    @Test
    void aRequestToAnEndlessBodyCountsItsStatusAndReturnsWithinItsDeadline() throws Exception {
        try (EndlessHttpServer endless = new EndlessHttpServer()) {
            long started = System.nanoTime();
            String status = TrafficGenerator.get("127.0.0.1", endless.port(), "/", 1);
            long millis = (System.nanoTime() - started) / 1_000_000;

            assertThat(status).isEqualTo("200");
            assertThat(millis).isLessThan(TrafficGenerator.REQUEST_DEADLINE.toMillis());
        }
    }
}

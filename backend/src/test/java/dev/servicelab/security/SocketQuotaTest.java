package dev.servicelab.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/** One account's live sockets are rationed; other accounts are not affected, and a closed socket gives its place back. */
class SocketQuotaTest {

    final SocketQuota quota = new SocketQuota(new LimitsProperties(2, DataSize.ofMegabytes(1), DataSize.ofKilobytes(64)));

    @Test
    void theSocketPastTheLimitIsRefusedWithWhatToDo() {
        quota.acquire("ada");
        quota.acquire("ada");
        assertThatThrownBy(() -> quota.acquire("ada")).isInstanceOf(WatchAccess.Refused.class)
                .hasMessageContaining("Close some tabs");
        assertThat(quota.open("ada")).isEqualTo(2);
    }

    @Test
    void anotherAccountStillGetsItsOwn() {
        quota.acquire("ada");
        quota.acquire("ada");
        quota.acquire("grace");
        assertThat(quota.open("grace")).isEqualTo(1);
    }

    @Test
    void aClosedSocketGivesItsPlaceBack() {
        quota.acquire("ada");
        quota.acquire("ada");
        quota.release("ada");
        quota.acquire("ada");
        assertThat(quota.open("ada")).isEqualTo(2);
    }
}

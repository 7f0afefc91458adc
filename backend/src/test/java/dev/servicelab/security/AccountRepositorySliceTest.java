package dev.servicelab.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servicelab.database.EmbeddedDatabaseSlice;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.boot.jdbc.test.autoconfigure.JdbcTest;
import org.springframework.context.annotation.Import;
import org.springframework.dao.DataIntegrityViolationException;

/**
 * The account repository against a real, migrated PostgreSQL and nothing else of the platform (a
 * JDBC slice: no web layer, no sandboxes). Each test runs in a transaction that is rolled back.
 */
@JdbcTest
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
@Import({EmbeddedDatabaseSlice.class, AccountRepository.class})
class AccountRepositorySliceTest {

    @Autowired
    AccountRepository accounts;

    @Test
    void anInsertedAccountIsEnabledAndFoundByItsName() {
        Account ada = accounts.insert("ada", "Ada Lovelace", "{noop}x", Role.LEARNER);
        assertThat(ada.id()).isPositive();
        assertThat(ada.enabled()).isTrue();
        assertThat(ada.createdAt()).isNotNull();
        assertThat(accounts.findByUsername("ada")).contains(ada);
    }

    @Test
    void usernamesAreLookedUpWithoutRegardToCase() {
        accounts.insert("Grace", "Grace Hopper", "{noop}x", Role.INSTRUCTOR);
        assertThat(accounts.findByUsername("gRACE")).map(Account::username).contains("Grace");
        assertThat(accounts.passwordHash("GRACE")).contains("{noop}x");
    }

    @Test
    void aSecondAccountWithTheSameNameIsRefused() {
        accounts.insert("linus", "Linus", "{noop}x", Role.LEARNER);
        assertThatThrownBy(() -> accounts.insert("linus", "Another Linus", "{noop}y", Role.LEARNER))
                .isInstanceOf(DataIntegrityViolationException.class);
    }

    @Test
    void anUnknownNameFindsNothing() {
        assertThat(accounts.findByUsername("nobody")).isEmpty();
        assertThat(accounts.passwordHash("nobody")).isEmpty();
    }

    @Test
    void whetherARoleHasAnyAccountIsAnswered() {
        boolean hadAdmin = accounts.existsWithRole(Role.ADMIN);
        accounts.insert("root-" + System.nanoTime(), "Admin", "{noop}x", Role.ADMIN);
        assertThat(hadAdmin).isFalse();
        assertThat(accounts.existsWithRole(Role.ADMIN)).isTrue();
    }

    @Test
    void allAccountsAreListedByName() {
        accounts.insert("zoe", "Zoe", "{noop}x", Role.LEARNER);
        accounts.insert("bob", "Bob", "{noop}x", Role.LEARNER);
        assertThat(accounts.findAll()).extracting(Account::username).containsSubsequence("bob", "zoe");
    }
}

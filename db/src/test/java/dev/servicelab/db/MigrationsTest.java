package dev.servicelab.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationsTest {

    @TempDir
    static Path base;
    static EmbeddedPostgres postgres;

    @BeforeAll
    static void startPostgresAndMigrate() {
        postgres = EmbeddedPostgres.start(new EmbeddedPostgres.Settings(base.resolve("pg"),
                TestCache.binaries(), 0, "migrations_test"));
        Flyway.configure().dataSource(postgres.jdbcUrl(), postgres.username(), postgres.password())
                .locations("classpath:db/migration").load().migrate();
    }

    @AfterAll
    static void stop() {
        postgres.close();
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(postgres.jdbcUrl(), postgres.username(), postgres.password());
    }

    @Test
    void migrationsCreateTheAccountAndProgressTables() throws SQLException {
        try (var c = connect(); var rs = c.createStatement().executeQuery(
                "select table_name from information_schema.tables where table_schema = 'public' order by 1")) {
            var tables = new java.util.ArrayList<String>();
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
            assertThat(tables).contains("account", "lab_enrolment", "step_progress");
        }
    }

    @Test
    void usernamesAreUniqueRegardlessOfCase() throws SQLException {
        try (var c = connect(); var s = c.createStatement()) {
            s.execute("insert into account (username, display_name, password_hash, role) values ('Grace', 'G', 'x', 'LEARNER')");
            assertThatThrownBy(() -> s.execute(
                    "insert into account (username, display_name, password_hash, role) values ('grace', 'G', 'x', 'LEARNER')"))
                    .hasMessageContaining("account_username_key");
        }
    }

    @Test
    void stepProgressRequiresAnEnrolment() throws SQLException {
        try (var c = connect(); var s = c.createStatement()) {
            s.execute("insert into account (username, display_name, password_hash, role) values ('alan', 'A', 'x', 'LEARNER')");
            assertThatThrownBy(() -> s.execute("insert into step_progress (account_id, lab_id, step_id, status) "
                    + "select id, 'clusterip', 'expose', 'PASSED' from account where username = 'alan'"))
                    .hasMessageContaining("foreign key");
        }
    }

    @Test
    void aRestartedServerKeepsItsData() throws SQLException {
        try (var c = connect(); var s = c.createStatement()) {
            s.execute("insert into account (username, display_name, password_hash, role) values ('kept', 'K', 'x', 'ADMIN')");
        }
        postgres.close();
        postgres = EmbeddedPostgres.start(new EmbeddedPostgres.Settings(base.resolve("pg"),
                TestCache.binaries(), postgres.port(), "migrations_test"));
        try (var c = connect(); var rs = c.createStatement().executeQuery("select role from account where username = 'kept'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("ADMIN");
        }
    }
}

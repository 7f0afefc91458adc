package dev.servicelab.security;

import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class AccountRepository {

    private static final RowMapper<Account> ACCOUNT = (rs, n) -> new Account(rs.getLong("id"), rs.getString("username"),
            rs.getString("display_name"), Role.valueOf(rs.getString("role")), rs.getBoolean("enabled"),
            rs.getTimestamp("created_at").toInstant());

    private final JdbcClient jdbc;

    public AccountRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<Account> findByUsername(String username) {
        return jdbc.sql("select * from account where lower(username) = lower(?)").param(username).query(ACCOUNT).optional();
    }

    public Optional<String> passwordHash(String username) {
        return jdbc.sql("select password_hash from account where lower(username) = lower(?)").param(username)
                .query(String.class).optional();
    }

    public boolean existsWithRole(Role role) {
        return jdbc.sql("select count(*) from account where role = ?").param(role.name()).query(Long.class).single() > 0;
    }

    public Account insert(String username, String displayName, String passwordHash, Role role) {
        return jdbc.sql("""
                insert into account (username, display_name, password_hash, role) values (?, ?, ?, ?)
                returning *""").params(username, displayName, passwordHash, role.name()).query(ACCOUNT).single();
    }

    public List<Account> findAll() {
        return jdbc.sql("select * from account order by username").query(ACCOUNT).list();
    }
}

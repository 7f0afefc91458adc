package dev.servicelab.security;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
class ApiTokenRepository {

    /** A token's row with what authentication needs: its hash and its owner. */
    record Stored(ApiToken token, String hash, long ownerId) {
    }

    /** The owner as authentication needs it: a token acts for its owner only while the owner may. */
    record Owner(String username, String role, boolean enabled) {
    }

    private final JdbcClient jdbc;

    ApiTokenRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    ApiToken insert(long ownerId, String name, String prefix, String hash, List<String> scopes, Long cohortId, Instant expiresAt) {
        return jdbc.sql("""
                insert into api_token (owner_id, name, prefix, token_hash, scopes, cohort_id, expires_at)
                values (?, ?, ?, ?, ?, ?, ?) returning *""")
                .params(ownerId, name, prefix, hash, scopes.toArray(String[]::new), cohortId,
                        expiresAt == null ? null : Timestamp.from(expiresAt))
                .query((rs, n) -> stored(rs).token()).single();
    }

    Optional<Stored> byPrefix(String prefix) {
        return jdbc.sql("select * from api_token where prefix = ?").param(prefix).query((rs, n) -> stored(rs)).optional();
    }

    Owner owner(long ownerId) {
        return jdbc.sql("select username, role, enabled from account where id = ?").param(ownerId)
                .query((rs, n) -> new Owner(rs.getString(1), rs.getString(2), rs.getBoolean(3))).single();
    }

    List<ApiToken> owned(long ownerId) {
        return jdbc.sql("select * from api_token where owner_id = ? order by created_at desc, id desc").param(ownerId)
                .query((rs, n) -> stored(rs).token()).list();
    }

    Optional<Stored> find(long id) {
        return jdbc.sql("select * from api_token where id = ?").param(id).query((rs, n) -> stored(rs)).optional();
    }

    void revoke(long id) {
        jdbc.sql("update api_token set revoked_at = coalesce(revoked_at, now()) where id = ?").param(id).update();
    }

    void used(long id) {
        // At most one write a minute per token: graders poll, and this is only informative.
        jdbc.sql("""
                update api_token set last_used_at = now()
                where id = ? and (last_used_at is null or last_used_at < now() - interval '1 minute')""").param(id).update();
    }

    private static Stored stored(ResultSet rs) throws SQLException {
        Array scopes = rs.getArray("scopes");
        long cohort = rs.getLong("cohort_id");
        Long cohortId = rs.wasNull() ? null : cohort;
        ApiToken token = new ApiToken(rs.getLong("id"), rs.getString("name"), rs.getString("prefix"),
                List.of((String[]) scopes.getArray()), cohortId, instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("expires_at")), instant(rs.getTimestamp("last_used_at")),
                instant(rs.getTimestamp("revoked_at")));
        return new Stored(token, rs.getString("token_hash"), rs.getLong("owner_id"));
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}

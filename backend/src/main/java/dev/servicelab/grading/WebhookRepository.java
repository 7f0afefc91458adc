package dev.servicelab.grading;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
class WebhookRepository {

    /** A delivery claimed for sending, with what signing and sending need. */
    record Due(long id, long webhookId, String url, String secret, String eventType, String payload, int attempts) {
    }

    private final JdbcClient jdbc;

    WebhookRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Webhook insert(long cohortId, long ownerId, String url, String secret) {
        return jdbc.sql("insert into webhook (cohort_id, owner_id, url, secret) values (?, ?, ?, ?) returning *")
                .params(cohortId, ownerId, url, secret).query(WebhookRepository::webhook).single();
    }

    List<Webhook> live(long cohortId) {
        return jdbc.sql("select * from webhook where cohort_id = ? and deleted_at is null order by id").param(cohortId)
                .query(WebhookRepository::webhook).list();
    }

    Optional<Webhook> find(long cohortId, long id) {
        return jdbc.sql("select * from webhook where cohort_id = ? and id = ? and deleted_at is null").params(cohortId, id)
                .query(WebhookRepository::webhook).optional();
    }

    void delete(long id) {
        jdbc.sql("update webhook set deleted_at = now() where id = ?").param(id).update();
        jdbc.sql("update webhook_delivery set status = 'FAILED', last_error = 'Webhook deleted' where webhook_id = ? and status = 'PENDING'")
                .param(id).update();
    }

    /** Queues the event for every live webhook of the cohort; an event already queued is not queued again. */
    int enqueue(long cohortId, String eventKey, String eventType, String payload) {
        return jdbc.sql("""
                insert into webhook_delivery (webhook_id, event_key, event_type, payload)
                select id, ?, ?, ? from webhook where cohort_id = ? and deleted_at is null
                on conflict (webhook_id, event_key) do nothing""").params(eventKey, eventType, payload, cohortId).update();
    }

    /**
     * Claims due deliveries by pushing their next attempt past the send timeout, so that another
     * poller (or this one after a crash) takes them over only if this attempt never reports back.
     */
    List<Due> claim(int limit, Duration lease) {
        return jdbc.sql("""
                update webhook_delivery d set next_attempt_at = now() + cast(? as interval)
                from webhook w
                where w.id = d.webhook_id and d.id in (
                  select id from webhook_delivery where status = 'PENDING' and next_attempt_at <= now()
                  order by next_attempt_at, id limit ? for update skip locked)
                returning d.id, d.webhook_id, w.url, w.secret, d.event_type, d.payload, d.attempts""")
                .params(lease.toMillis() + " milliseconds", limit)
                .query((rs, n) -> new Due(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getInt(7)))
                .list();
    }

    void delivered(long id, int status) {
        jdbc.sql("""
                update webhook_delivery set status = 'DELIVERED', attempts = attempts + 1, last_status = ?, last_error = null,
                  delivered_at = now() where id = ?""").params(status, id).update();
    }

    void failed(long id, Integer status, String error, Instant retryAt) {
        jdbc.sql("""
                update webhook_delivery set attempts = attempts + 1, last_status = ?, last_error = ?,
                  status = case when cast(? as timestamptz) is null then 'FAILED' else 'PENDING' end,
                  next_attempt_at = coalesce(cast(? as timestamptz), next_attempt_at) where id = ?""")
                .params(status, error, ts(retryAt), ts(retryAt), id).update();
    }

    List<Webhook.Delivery> deliveries(long webhookId) {
        return jdbc.sql("select * from webhook_delivery where webhook_id = ? order by id desc limit 100").param(webhookId)
                .query((rs, n) -> new Webhook.Delivery(rs.getLong("id"), rs.getString("event_key"), rs.getString("event_type"),
                        rs.getString("status"), rs.getInt("attempts"), instant(rs.getTimestamp("next_attempt_at")),
                        (Integer) rs.getObject("last_status"), rs.getString("last_error"), instant(rs.getTimestamp("created_at")),
                        instant(rs.getTimestamp("delivered_at"))))
                .list();
    }

    private static Webhook webhook(ResultSet rs, int n) throws SQLException {
        return new Webhook(rs.getLong("id"), rs.getLong("cohort_id"), rs.getString("url"), instant(rs.getTimestamp("created_at")));
    }

    private static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}

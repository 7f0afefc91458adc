-- Several platform replicas share this database. Three things make any replica serve any request.

-- 1. Browser sign-in sessions (Spring Session JDBC), so a session made by one replica is valid on all.
-- Spring Session's own PostgreSQL schema (spring-session-jdbc 4.0, schema-postgresql.sql); Flyway owns
-- the schema, so spring.session.jdbc.initialize-schema is "never".
create table spring_session (
    primary_id            char(36)     not null,
    session_id            char(36)     not null,
    creation_time         bigint       not null,
    last_access_time      bigint       not null,
    max_inactive_interval int          not null,
    expiry_time           bigint       not null,
    principal_name        varchar(100),
    constraint spring_session_pk primary key (primary_id)
);
create unique index spring_session_ix1 on spring_session (session_id);
create index spring_session_ix2 on spring_session (expiry_time);
create index spring_session_ix3 on spring_session (principal_name);

create table spring_session_attributes (
    session_primary_id char(36)     not null,
    attribute_name     varchar(200) not null,
    attribute_bytes    bytea        not null,
    constraint spring_session_attributes_pk primary key (session_primary_id, attribute_name),
    constraint spring_session_attributes_fk foreign key (session_primary_id)
        references spring_session (primary_id) on delete cascade
);

-- 2. Live events for every replica's open dashboards travel as NOTIFY on the channel
-- 'servicelab_events' (payloads are small JSON, well under NOTIFY's 8000 bytes). Check attempts and
-- passed steps are announced by the replica that records them; a learner's sandbox changing state
-- is announced here, whichever replica (or housekeeping) writes the row. Warm-pool sandboxes have
-- no owner and no dashboard, so they stay quiet.
create function sandbox_state_notify() returns trigger language plpgsql as $$
begin
    if new.owner is not null and (tg_op = 'INSERT' or new.state is distinct from old.state
            or new.owner is distinct from old.owner) then
        perform pg_notify('servicelab_events', json_build_object('type', 'sandbox', 'data', json_build_object(
            'sandboxId', new.id, 'username', new.owner, 'labId', new.lab_id, 'state', new.state,
            'phase', new.phase))::text);
    end if;
    return null;
end $$;

create trigger sandbox_state_notify after insert or update on sandbox
    for each row execute function sandbox_state_notify();

-- 3. Grading results are paged and filtered in SQL. Filters: a lab (or all the cohort's), completed,
-- active since. Completion per lab is read from enrolments by lab, activity from attempts by lab and time.
create index lab_enrolment_by_lab on lab_enrolment (lab_id, account_id) include (started_at, completed_at);
create index check_attempt_by_lab_time on check_attempt (lab_id, created_at, account_id);

-- Webhooks: a cohort's completion events are POSTed to an instructor's URL, signed with the
-- webhook's own secret (kept in clear text: signing needs it).
create table webhook (
    id         bigserial    primary key,
    cohort_id  bigint       not null references cohort (id) on delete cascade,
    owner_id   bigint       not null references account (id) on delete cascade,
    url        varchar(2048) not null,
    secret     varchar(128) not null,
    created_at timestamptz  not null default now(),
    deleted_at timestamptz
);
create index webhook_by_cohort on webhook (cohort_id) where deleted_at is null;

-- One row per event and webhook, written when the event happens, so that deliveries and their
-- retries survive a restart. The payload is stored as sent: the signature covers these bytes.
create table webhook_delivery (
    id              bigserial    primary key,
    webhook_id      bigint       not null references webhook (id) on delete cascade,
    event_key       varchar(200) not null,
    event_type      varchar(64)  not null,
    payload         text         not null,
    status          varchar(16)  not null default 'PENDING' check (status in ('PENDING', 'DELIVERED', 'FAILED')),
    attempts        integer      not null default 0,
    next_attempt_at timestamptz  not null default now(),
    last_status     integer,
    last_error      text,
    created_at      timestamptz  not null default now(),
    delivered_at    timestamptz,
    -- the same event is delivered once per webhook, however often it is reported
    unique (webhook_id, event_key)
);
create index webhook_delivery_due on webhook_delivery (next_attempt_at) where status = 'PENDING';

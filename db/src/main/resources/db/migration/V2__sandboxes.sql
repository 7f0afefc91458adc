-- The platform's record of every sandbox it made: whose it is, where it is in its life, and its
-- clocks. Sandboxes in the warm pool have no owner yet. Rows stay after a sandbox ends, for the
-- instructor's history; only rows in STARTING or READY are live.
create table sandbox (
    id             varchar(64)  primary key,
    owner          varchar(64),
    lab_id         varchar(64),
    nodes          integer      not null default 1,
    state          varchar(16)  not null check (state in ('STARTING', 'READY', 'FAILED', 'DEAD', 'EXPIRED', 'DELETED')),
    phase          varchar(32)  not null,
    message        text,
    created_at     timestamptz  not null,
    last_active_at timestamptz  not null,
    expires_at     timestamptz
);
create index sandbox_live on sandbox (owner, lab_id) where state in ('STARTING', 'READY');

-- Hibernation: a learner's idle sandbox is first frozen (paused, still live), later its cluster is
-- saved here and the sandbox removed (HIBERNATED, no longer live).
alter table sandbox drop constraint sandbox_state_check;
alter table sandbox add constraint sandbox_state_check
    check (state in ('STARTING', 'READY', 'FROZEN', 'HIBERNATED', 'FAILED', 'DEAD', 'EXPIRED', 'DELETED'));
drop index sandbox_live;
create index sandbox_live on sandbox (owner, lab_id) where state in ('STARTING', 'READY', 'FROZEN');

-- The latest saved cluster of each learner and lab (kine's datastore and the cluster's keys, gzipped),
-- which their next sandbox for the lab starts from. Only a node of the same image may restore it.
create table sandbox_snapshot (
    owner        varchar(64)  not null,
    lab_id       varchar(64)  not null,
    image        varchar(200) not null,
    content      bytea        not null,
    size_bytes   integer      not null,
    content_hash varchar(64)  not null,
    taken_at     timestamptz  not null,
    primary key (owner, lab_id)
);
-- Already compressed: keep PostgreSQL from compressing it again.
alter table sandbox_snapshot alter column content set storage external;

-- A cohort's scheduled sessions: the class works on one lab from a start time. From a lead before
-- the start until the same lead after it, the warm pool is raised by the cohort's learners who have
-- no sandbox for that lab yet (within max-total), so each of them gets a cluster at once.
create table cohort_session (
    id         bigserial   primary key,
    cohort_id  bigint      not null references cohort (id) on delete cascade,
    lab_id     varchar(64) not null,
    starts_at  timestamptz not null,
    created_at timestamptz not null default now()
);
create index cohort_session_by_cohort on cohort_session (cohort_id, starts_at);
-- The pre-warm job asks every few seconds which sessions are near their start.
create index cohort_session_by_start on cohort_session (starts_at);

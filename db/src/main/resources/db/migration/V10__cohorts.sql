-- Cohorts (courses): an instructor's group of learners working through chosen labs on a schedule.
-- Learners join with the cohort's code (or its /join/<code> link). Archived cohorts stay readable
-- for grading but take no new members.
create table cohort (
    id          bigserial    primary key,
    name        varchar(128) not null,
    owner_id    bigint       not null references account (id) on delete cascade,
    join_code   varchar(16)  not null unique,
    opens_at    timestamptz,
    closes_at   timestamptz,
    archived_at timestamptz,
    created_at  timestamptz  not null default now(),
    check (closes_at is null or opens_at is null or closes_at > opens_at)
);
create index cohort_by_owner on cohort (owner_id);

-- The cohort's labs in the instructor's order. Lab ids name lab folders on disk (no foreign key).
-- weight counts the lab in the cohort score (a lab's own score weighs its steps equally).
create table cohort_lab (
    cohort_id bigint        not null references cohort (id) on delete cascade,
    lab_id    varchar(64)   not null,
    position  integer       not null,
    due_at    timestamptz,
    weight    numeric(6, 2) not null default 1 check (weight > 0),
    primary key (cohort_id, lab_id)
);

create table cohort_member (
    cohort_id  bigint      not null references cohort (id) on delete cascade,
    account_id bigint      not null references account (id) on delete cascade,
    joined_at  timestamptz not null default now(),
    primary key (cohort_id, account_id)
);
-- "Which cohorts is this learner in" is asked on every passed step (dashboard and webhooks).
create index cohort_member_by_account on cohort_member (account_id);

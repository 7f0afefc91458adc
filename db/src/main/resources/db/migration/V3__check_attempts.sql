-- Every time a learner's step is checked: who, which step, the verdict, the first failure's message
-- (what instructors look for), every check's result, and how long it took.
create table check_attempt (
    id           bigserial   primary key,
    account_id   bigint      not null references account (id) on delete cascade,
    lab_id       varchar(64) not null,
    step_id      varchar(64) not null,
    sandbox_id   varchar(64),
    passed       boolean     not null,
    message      text,
    results      jsonb       not null,
    duration_ms  integer     not null,
    created_at   timestamptz not null default now()
);
create index check_attempt_by_learner on check_attempt (account_id, lab_id, step_id, created_at);

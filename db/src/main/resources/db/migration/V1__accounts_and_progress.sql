-- Accounts: learners, instructors and admins sign in with a username and a password.
create table account (
    id            bigserial    primary key,
    username      varchar(64)  not null,
    display_name  varchar(128) not null,
    password_hash varchar(255) not null,
    role          varchar(16)  not null check (role in ('LEARNER', 'INSTRUCTOR', 'ADMIN')),
    enabled       boolean      not null default true,
    created_at    timestamptz  not null default now()
);
-- Usernames are compared case-insensitively so "Ada" and "ada" cannot both sign up.
create unique index account_username_key on account (lower(username));

-- One row per learner and lab they have started. Lab ids refer to lab folders, which live on disk
-- rather than in the database, so there is no foreign key to a lab table.
create table lab_enrolment (
    account_id   bigint      not null references account (id) on delete cascade,
    lab_id       varchar(64) not null,
    started_at   timestamptz not null default now(),
    completed_at timestamptz,
    primary key (account_id, lab_id)
);

-- Progress per learner, lab and step. A step becomes PASSED only when the server's checks pass
-- against the learner's sandbox, never on the browser's word.
create table step_progress (
    account_id    bigint      not null,
    lab_id        varchar(64) not null,
    step_id       varchar(64) not null,
    status        varchar(16) not null check (status in ('IN_PROGRESS', 'PASSED')),
    started_at    timestamptz not null default now(),
    passed_at     timestamptz,
    hints_used    integer     not null default 0,
    primary key (account_id, lab_id, step_id),
    foreign key (account_id, lab_id) references lab_enrolment (account_id, lab_id) on delete cascade
);

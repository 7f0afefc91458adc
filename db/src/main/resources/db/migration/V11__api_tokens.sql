-- Instructors' API tokens for graders and scripts. The token itself is shown once and never stored:
-- only its SHA-256 and its public prefix (to find the row without scanning every hash).
create table api_token (
    id           bigserial    primary key,
    owner_id     bigint       not null references account (id) on delete cascade,
    name         varchar(128) not null,
    prefix       varchar(16)  not null unique,
    token_hash   char(64)     not null,
    scopes       text[]       not null,
    -- null: every cohort of the owner; else only this one
    cohort_id    bigint       references cohort (id) on delete cascade,
    created_at   timestamptz  not null default now(),
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
create index api_token_by_owner on api_token (owner_id);

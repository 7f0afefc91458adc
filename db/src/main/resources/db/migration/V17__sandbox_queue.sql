-- The waiting queue: a learner who finds the host full gets a QUEUED row (no sandbox runs yet) instead
-- of an error. Rows are the queue every replica and a restarted platform see, first come first by
-- created_at; housekeeping turns the oldest into a STARTING sandbox of the same id when a slot frees,
-- and ends rows whose learner stopped asking. A row started from the queue takes its start time as
-- created_at (its time limit counts from there), so the upsert now writes created_at too.
alter table sandbox drop constraint sandbox_state_check;
alter table sandbox add constraint sandbox_state_check
    check (state in ('QUEUED', 'STARTING', 'READY', 'FROZEN', 'HIBERNATED', 'FAILED', 'DEAD', 'EXPIRED', 'DELETED'));
create index sandbox_queue on sandbox (created_at) where state = 'QUEUED';

-- A learner's tunnel is desired state in the database, not in one replica's memory: while its row
-- exists the tunnel runs. One replica at a time (holder) does the work, that is giving LoadBalancer
-- Services an external IP, and renews its lease every tick; a replica that stops renewing (crash,
-- stop) loses the lease when lease_until passes and another takes the row over in one UPDATE.
-- Times are the database's clock, so replicas' clocks need not agree. No foreign key: a test's
-- sandbox can have a tunnel without a sandbox record, and a tunnel's row goes when its sandbox ends.
create table tunnel_lease (
    sandbox_id  varchar(64)  primary key,
    holder      varchar(128) not null,
    lease_until timestamptz  not null,
    started_at  timestamptz  not null default now()
);
create index tunnel_lease_expiry on tunnel_lease (lease_until);

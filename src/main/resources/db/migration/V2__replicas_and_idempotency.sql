-- Live replicas, so that each claims its fair share of the running projects.
create table replica (
    id              varchar(128) primary key,
    started_at      timestamptz not null default now(),
    heartbeat_at    timestamptz not null
);

-- Idempotency-Key: the first response to a POST, replayed to retries with the same key and body.
create table idempotency_key (
    key             varchar(255) primary key,
    fingerprint     varchar(64)  not null,
    state           varchar(8)   not null,
    status          integer,
    content_type    varchar(64),
    body            text,
    location        varchar(512),
    etag            varchar(64),
    created_at      timestamptz  not null default now(),
    expires_at      timestamptz  not null,
    constraint idempotency_state_ck check (state in ('PENDING', 'DONE'))
);
create index idempotency_key_expires_idx on idempotency_key (expires_at);

-- Failed logins per (email, client address), plus one row per email under the client
-- '*' that counts every client's failures. A client is locked out for a delay that
-- doubles with each failure past the limit, so guessing stays refused, while the
-- right password from another address still works: nobody can lock someone else
-- out by failing on purpose. The email-wide row brakes a guesser that spreads over
-- many addresses: past its own (higher) limit, every address that has already failed
-- for that email waits too. The counters are transient, so the old table's rows
-- (per email only) are dropped.
DROP TABLE login_failures;

CREATE TABLE login_failures (
    email             text        NOT NULL,
    client            text        NOT NULL,
    failures          integer     NOT NULL,
    window_started_at timestamptz NOT NULL,
    locked_until      timestamptz NULL,
    PRIMARY KEY (email, client),
    CONSTRAINT login_failures_failures_check CHECK (failures >= 1)
);

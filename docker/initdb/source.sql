-- The compose stack's source cluster (wal_level=logical): the demo shop, and the control database the silos share.
CREATE DATABASE sentinel;
CREATE DATABASE shop;
\connect shop

CREATE TABLE customers (
    id      bigserial PRIMARY KEY,
    name    text        NOT NULL,
    email   text        NOT NULL UNIQUE,
    created timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
    id          bigserial PRIMARY KEY,
    customer_id bigint         NOT NULL REFERENCES customers (id),
    amount      numeric(12, 2) NOT NULL,
    status      text           NOT NULL DEFAULT 'placed',
    details     jsonb,
    placed_at   timestamptz    NOT NULL DEFAULT now()
);

INSERT INTO customers (name, email)
SELECT 'customer ' || g, 'customer' || g || '@example.com' FROM generate_series(1, 1000) g;

INSERT INTO orders (customer_id, amount, details)
SELECT 1 + g % 1000, round((random() * 500)::numeric, 2), jsonb_build_object('items', 1 + g % 5)
FROM generate_series(1, 10000) g;

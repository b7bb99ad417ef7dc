-- The compose stack's Postgres destination: SentinelSync creates the tables it replicates into.
CREATE DATABASE warehouse;

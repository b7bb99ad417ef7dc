-- Membership moved to Orleans' ADO.NET clustering (schema orleans). The tables of the runtime SentinelSync
-- carried before Orleans are dropped from control databases that still have them.
DROP TABLE IF EXISTS sentinel.silo;
DROP TABLE IF EXISTS sentinel.membership_version;

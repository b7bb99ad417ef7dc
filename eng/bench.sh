#!/usr/bin/env bash
# Runs the side-by-side replication benchmark (issue #9): SentinelSync against Postgres' native logical
# replication on the local clusters, plus Postgres -> ClickHouse, in Release. Not part of the test run.
#   bash eng/bench.sh            # the full run (about 20 minutes on 2 cores)
#   bash eng/bench.sh --quick    # a smoke run of a few minutes
# Results: artifacts/bench/replication-<date>.json and .md (the markdown is also printed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash eng/setup.sh
dotnet build -c Release tests/SentinelSync.Benchmarks
exec dotnet run -c Release --no-build --project tests/SentinelSync.Benchmarks -- replication "$@"

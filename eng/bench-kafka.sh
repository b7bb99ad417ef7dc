#!/usr/bin/env bash
# Runs the Kafka benchmark (issue #15): Postgres -> Kafka -> Postgres against the direct Postgres -> Postgres
# pipeline, side by side in one run, Kafka being librdkafka's mock cluster in the benchmark process. Not part of
# the test run.
#   bash eng/bench-kafka.sh            # the full run (about 10 minutes on 2 cores)
#   bash eng/bench-kafka.sh --quick    # a smoke run of a few minutes
#   bash eng/bench-kafka.sh --quick --backlog 30 --runs 3   # longer drains, three alternating pairs
# Results: artifacts/bench/kafka-<date>.json and .md (the markdown is also printed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash eng/setup.sh
dotnet build -c Release tests/SentinelSync.Benchmarks
exec dotnet run -c Release --no-build --project tests/SentinelSync.Benchmarks -- kafka "$@"

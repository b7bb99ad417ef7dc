#!/usr/bin/env bash
# Runs the Kafka benchmark (issue #15): Postgres -> Kafka -> Postgres against the direct Postgres -> Postgres
# pipeline, side by side in one run, Kafka being librdkafka's mock cluster in the benchmark process. Not part of
# the test run. The silo runs as shipped (published ReadyToRun), as in eng/bench.sh, whose flags it takes too
# (--plain, --product REV).
#   bash eng/bench-kafka.sh            # the full run (about 10 minutes on 2 cores)
#   bash eng/bench-kafka.sh --quick    # a smoke run of a few minutes
#   bash eng/bench-kafka.sh --quick --backlog 30 --runs 3   # longer drains, three alternating pairs
#   bash eng/bench-kafka.sh --quick --backlog 30 --legs     # and a second backlog drained one leg at a time
# Results: artifacts/bench/kafka-<date>.json and .md (the markdown is also printed).
set -euo pipefail
exec bash "$(dirname "$0")/bench.sh" --verb kafka "$@"

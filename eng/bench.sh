#!/usr/bin/env bash
# Runs the side-by-side replication benchmark (issue #9): SentinelSync against Postgres' native logical
# replication on the local clusters, plus Postgres -> ClickHouse, in Release. Not part of the test run.
#   bash eng/bench.sh            # the full run (about 20 minutes on 2 cores)
#   bash eng/bench.sh --quick    # a smoke run of a few minutes
#   bash eng/bench.sh --verb clickhouse                  # another verb of tests/SentinelSync.Benchmarks
#   bash eng/bench.sh --verb clickhouse --product 460dc1a  # the same harness on the product of another commit
#   bash eng/bench.sh --plain    # the plain build's sentinel.dll (JIT at every start), as the tests run it
# The silo runs as users run it: `sentinel` published as docker/Dockerfile ships it (ReadyToRun), from this tree
# or, with --product REV, from git revision REV exported aside (e.g. the last commit before a port), published with
# the same flags, so that both sides of a side-by-side pay the same start-up. The benchmark prints which it ran.
# Results: artifacts/bench/replication-<date>.json and .md (the markdown is also printed).
set -euo pipefail
cd "$(dirname "$0")/.."

verb=replication
product=""
plain=false
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --verb) verb="$2"; shift 2 ;;
    --product) product="$2"; shift 2 ;;
    --plain) plain=true; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
if $plain && [ -n "$product" ]; then
  echo "--plain runs this tree's plain build; it cannot be combined with --product $product" >&2
  exit 2
fi

bash eng/setup.sh
dotnet build -c Release tests/SentinelSync.Benchmarks

# Publishes src/SentinelSync of tree $1 into $2 as its docker/Dockerfile does: a self-contained composite ReadyToRun
# image where that Dockerfile builds one (since 2026-12-02), framework-dependent ReadyToRun otherwise (before, or
# for a commit from before the Dockerfile, such as 460dc1a: both sides of a side-by-side then precompile as shipped).
publish_ready_to_run() {
  local rid flags=(--self-contained false -p:PublishReadyToRun=true)
  rid="linux-$([ "$(uname -m)" = aarch64 ] && echo arm64 || echo x64)"
  if grep -qs "PublishReadyToRunComposite=true" "$1/docker/Dockerfile"; then
    flags=(--self-contained true -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true)
  fi
  # The SDK does not notice a switch between composite and not in its ReadyToRun intermediates: a framework-dependent
  # publish after a composite one shipped assemblies bound to a sentinel.r2r.dll it did not copy (the silo aborted).
  rm -rf "$1/src/SentinelSync/obj/Release/net10.0/$rid/R2R"
  dotnet publish "$1/src/SentinelSync/SentinelSync.csproj" -c Release -r "$rid" "${flags[@]}" -o "$2" >&2
}

if ! $plain; then
  if [ -n "$product" ]; then
    commit="$(git rev-parse --short "$product^{commit}")"
    tree="$PWD/artifacts/bench/tree-$commit"
    out="$PWD/artifacts/bench/sentinel-$commit-r2r"
    stamp="$commit"
    rm -rf "$tree" && mkdir -p "$tree"
    git archive "$commit" global.json Directory.Build.props Directory.Packages.props src | tar -x -C "$tree"
    if git cat-file -e "$commit:docker/Dockerfile" 2>/dev/null; then
      mkdir -p "$tree/docker" && git show "$commit:docker/Dockerfile" > "$tree/docker/Dockerfile"
    fi
  else
    tree="$PWD"
    out="$PWD/artifacts/bench/sentinel-r2r"
    # A composite publish takes minutes: reuse the last one while the product's sources are those of one commit.
    stamp="$(git rev-parse --short HEAD)"
    if [ -n "$(git status --porcelain -- src global.json Directory.Build.props Directory.Packages.props docker/Dockerfile)" ]; then
      stamp=""
    fi
  fi
  if [ -z "$stamp" ] || [ "$(cat "$out/.published-from" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$out"
    publish_ready_to_run "$tree" "$out"
    [ -z "$stamp" ] || echo "$stamp" > "$out/.published-from"
  else
    echo "bench: reusing $out, published from $stamp" >&2
  fi
  export SENTINEL_EXECUTABLE="$out/sentinel.dll"
fi

exec dotnet run -c Release --no-build --project tests/SentinelSync.Benchmarks -- "$verb" ${args[@]+"${args[@]}"}

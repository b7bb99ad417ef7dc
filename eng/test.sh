#!/usr/bin/env bash
# Sets the machine up (eng/setup.sh), then restores, builds and runs every test project in
# Release. Ends with one line `tests: N passed, N failed, N skipped` summed over all test
# assemblies. The exit code is dotnet test's (non-zero when a test fails), and non-zero too
# when no test ran at all.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash eng/setup.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Plain console output (no MSBuild terminal logger) so that the per-assembly summary lines
# ("Passed!  - Failed: 0, Passed: 10, Skipped: 0, Total: 10, ...") can be parsed.
export MSBUILDTERMINALLOGGER=off
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1

echo "test: dotnet test SentinelSync.sln -c Release"
set +e
dotnet test SentinelSync.sln -c Release --logger "console;verbosity=minimal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# Sum the summary lines of every test assembly; strip colour codes first, just in case.
read -r passed failed skipped assemblies < <(
    sed -e 's/\x1b\[[0-9;]*m//g' "$log" | awk '
        /(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+, +Skipped: +[0-9]+/ {
            line = $0
            sub(/.*Failed: +/, "", line);  f += line + 0
            line = $0
            sub(/.*Passed: +/, "", line);  p += line + 0
            line = $0
            sub(/.*Skipped: +/, "", line); s += line + 0
            n++
        }
        END { printf "%d %d %d %d\n", p, f, s, n }')

if ((status == 0 && passed + failed == 0)); then
    echo "test: ERROR: no test ran ($assemblies test assemblies reported)"
    status=1
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"

#!/usr/bin/env bash
# Sets the machine up (eng/setup.sh), builds Release and runs the live demo (`sentinel demo`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash eng/setup.sh

echo "demo: dotnet build SentinelSync.sln -c Release"
dotnet build SentinelSync.sln -c Release -nologo -v quiet

exec dotnet src/SentinelSync/bin/Release/net10.0/sentinel.dll demo "$@"

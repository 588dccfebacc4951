#!/usr/bin/env bash
# Runs the appliance on this machine: the agent (L2 engine + HTTPS API) and the admin panel. Ctrl-C stops both.
# Usage: ./run.sh [agent options]   e.g. --uplink-nic ens19 | --uplink-bridge vmbr1 (default: a lab bridge)
# Ports: PANEL_PORT (default 5080), AGENT_PORT (default 7443, HTTPS), both on 127.0.0.1.
# The panel pairs with the agent through the agent's local access file (Agent:LocalAccessFile:
# URL, a token made at each agent start, and the certificate fingerprint to pin).
set -euo pipefail
cd "$(dirname "$0")"

panel_port=${PANEL_PORT:-5080}
agent_port=${AGENT_PORT:-7443}
state_dir="$PWD/.lab/state"
access_file="$state_dir/local-access.json"

if ! command -v dotnet >/dev/null; then
  echo "run.sh: the .NET 10 SDK is needed (dotnet not found)" >&2
  exit 2
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# On a fresh machine the first build restores every NuGet package (a few minutes): show each project as it builds.
echo "run.sh: building the agent and the panel (the first build also restores NuGet packages and takes a few minutes)…"
if ! dotnet build Appliance.sln -c Debug -nologo --verbosity minimal -clp:NoSummary \
  | { grep --line-buffered -E " -> |error|warn|Restored" || true; } | sed -u 's/^ */run.sh:   /'; then
  echo "run.sh: the build failed; see the errors above" >&2
  exit 1
fi

pids=()
stop() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 0' INT TERM

# The agent rewrites the file at each start; an old one would send the panel to a closed port.
rm -f "$access_file"
dotnet src/Appliance.Agent/bin/Debug/net10.0/appliance-agent.dll serve --state-dir "$state_dir" \
  --listen "127.0.0.1:$agent_port" "$@" &
pids+=($!)
for _ in $(seq 1 120); do
  [[ -s "$access_file" ]] && break
  kill -0 "${pids[0]}" 2>/dev/null || { echo "run.sh: the agent stopped; see its messages above" >&2; exit 1; }
  sleep 0.5
done
[[ -s "$access_file" ]] || { echo "run.sh: the agent did not write $access_file" >&2; exit 1; }

ASPNETCORE_ENVIRONMENT=Development Agent__LocalAccessFile="$access_file" \
  dotnet src/Appliance.Web/bin/Debug/net10.0/Appliance.Web.dll --urls "http://127.0.0.1:$panel_port" \
  --contentRoot "$PWD/src/Appliance.Web" >/dev/null &
pids+=($!)

for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$panel_port/" >/dev/null 2>&1 && break
  sleep 0.5
done
echo "run.sh: started the agent (pid ${pids[0]}, API https://127.0.0.1:$agent_port/, local access file $access_file) and the panel (pid ${pids[1]}, http://127.0.0.1:$panel_port/). Ctrl-C stops both."
wait -n "${pids[@]}" && echo "run.sh: a process ended; stopping" >&2

#!/usr/bin/env bash
# Runs the appliance on this machine: the agent (L2 engine + API) and the admin panel. Ctrl-C stops both.
# Usage: ./run.sh [agent options]   e.g. --uplink-nic ens19 | --uplink-bridge vmbr1 (default: a lab bridge)
# Ports: PANEL_PORT (default 5080), AGENT_PORT (default 7080), both on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")"

panel_port=${PANEL_PORT:-5080}
agent_port=${AGENT_PORT:-7080}

if ! command -v dotnet >/dev/null; then
  echo "run.sh: the .NET 10 SDK is needed (dotnet not found)" >&2
  exit 2
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The panel pairs the local agent from the access file the agent writes at start (agent state: .lab/state in a checkout).
export Agent__LocalAccessFile="$PWD/.lab/state/local-access.json"
echo "run.sh: building…"
dotnet build Appliance.sln -c Debug --verbosity quiet -nologo >/dev/null

pids=()
stop() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 0' INT TERM

dotnet src/Appliance.Agent/bin/Debug/net10.0/appliance-agent.dll serve --listen "127.0.0.1:$agent_port" "$@" &
pids+=($!)

ASPNETCORE_ENVIRONMENT=Development Agent__Url="http://127.0.0.1:$agent_port/" \
  dotnet src/Appliance.Web/bin/Debug/net10.0/Appliance.Web.dll --urls "http://127.0.0.1:$panel_port" \
  --contentRoot "$PWD/src/Appliance.Web" >/dev/null &
pids+=($!)

for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$panel_port/" >/dev/null 2>&1 && break
  sleep 0.5
done
echo "run.sh: started the agent (pid ${pids[0]}, API http://127.0.0.1:$agent_port/health) and the panel (pid ${pids[1]}, http://127.0.0.1:$panel_port/). Ctrl-C stops both."
wait -n "${pids[@]}" && echo "run.sh: a process ended; stopping" >&2

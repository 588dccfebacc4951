#!/usr/bin/env bash
# Runs every test of the appliance on a Debian 12 machine, installing first what the tests need:
# Debian packages (real OpenVPN, pppd, pppoe-server, user-mode-linux, tshark, ...) and NuGet packages.
# Ends with one line "N passed, N failed, N skipped" computed from the TRX results.
# Usage: ./test.sh [--fast]     --fast: only the tests that need nothing but .NET
set -euo pipefail
cd "$(dirname "$0")"

fast=0
[[ "${1:-}" == "--fast" ]] && fast=1

# Real peers the end-to-end tests drive; see tests/README.md for which test needs which.
packages=(iproute2 ethtool kmod iputils-ping tcpdump tshark openvpn ppp pppoe user-mode-linux nftables iperf3 openssl
  shellcheck docker-compose mmdebstrap qemu-system-x86 qemu-utils cloud-image-utils grub-pc-bin grub-efi-amd64-bin
  mtools dosfstools fdisk e2fsprogs openssh-server)

install_packages() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
      echo "test.sh: missing Debian packages: ${missing[*]}; run as root or install them" >&2
      exit 2
    fi
    echo "test.sh: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# Headless Chromium and a CJK font for the panel's browser tests (tests/Appliance.Web.Tests/Browser).
packages+=(chromium fonts-wqy-zenhei)

((fast)) || install_packages

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet restore Appliance.sln --verbosity quiet
dotnet build Appliance.sln -c Release --no-restore --verbosity quiet -nologo

results=TestResults
rm -rf "$results"
projects=(tests/Appliance.Tunnel.Tests tests/Appliance.Agent.Tests tests/Appliance.Proxmox.Tests tests/Appliance.Web.Tests)
((fast)) || projects+=(tests/Appliance.EndToEnd.Tests)

filter=()
((fast)) && filter=(--filter "Category!=EndToEnd")

status=0
for project in "${projects[@]}"; do
  name=$(basename "$project")
  echo "test.sh: running $name"
  dotnet test "$project" -c Release --no-build --nologo "${filter[@]}" \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" || status=1
done

passed=0 failed=0 skipped=0
for project in "${projects[@]}"; do
  name=$(basename "$project")
  trx="$results/$name.trx"
  if [[ ! -f "$trx" ]]; then
    echo "test.sh: $name produced no results (crashed or did not build); counted as one failure" >&2
    failed=$((failed + 1)); status=1
    continue
  fi
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  attr() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  passed=$((passed + $(attr passed)))
  failed=$((failed + $(attr failed) + $(attr error) + $(attr timeout) + $(attr aborted)))
  skipped=$((skipped + $(attr notExecuted)))
done
((failed == 0)) || status=1
summary="$passed passed, $failed failed, $skipped skipped"
echo "$summary" > "$results/summary.txt"
echo "$summary"
exit $status

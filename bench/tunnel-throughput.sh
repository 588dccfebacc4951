#!/bin/sh
# iperf3 TCP throughput through our server and OpenVPN 2.6's own server, side by side in one run (see bench/README.md).
# Needs root, /dev/net/tun, openvpn 2.6 and iperf3. Arguments go to the bench: --rounds N --seconds S --warm-up S --idle S --only ours|openvpn
set -eu
cd "$(dirname "$0")/.."
dotnet build bench/Appliance.TunnelBench -c Release --nologo -v quiet
exec dotnet bench/Appliance.TunnelBench/bin/Release/net10.0/Appliance.TunnelBench.dll "$@"

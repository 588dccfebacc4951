#!/usr/bin/env bash
# Record a tls-crypt-v2 opening packet made entirely by the real OpenVPN 2.6 binary (no code of ours):
#   1. openvpn --genkey tls-crypt-v2-server
#   2. openvpn --tls-crypt-v2 s.key --genkey tls-crypt-v2-client with our metadata v1 as its base64 argument
#      (openvpn prepends the USER type byte 0x00 itself): serial 4A0B0C, CN alice, not-after 1893456000
#   3. the real client (tls-client, dev null, udp4, a throw-away openssl PKI) dials a python UDP listener on
#      127.0.0.1; the first datagram it sends is the opening (opcode 10, WKc appended).
#
# Usage: tests/lab/record-tls-crypt-v2-vector.sh [output-file]
#   output-file defaults to tests/Appliance.Tunnel.Tests/Vectors/openvpn/tls-crypt-v2-opening.txt.
# Needs: openvpn 2.6, openssl, python3. No root, loopback only. Stops only the client it started, by PID.
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$repo_root/tests/Appliance.Tunnel.Tests/Vectors/openvpn/tls-crypt-v2-opening.txt}
work=$(mktemp -d)
client_pid=
cleanup() {
    if [[ -n $client_pid ]]; then kill "$client_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

openssl ecparam -name prime256v1 -genkey -noout -out ca.key
openssl req -x509 -new -key ca.key -subj /CN=vector-ca -days 2 -out ca.pem 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out client.key
openssl req -new -key client.key -subj /CN=alice -out client.csr
printf 'keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' > client.ext
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile client.ext -out client.pem 2>/dev/null

# Our metadata v1 after the type byte: 'A' 'P', version 1, not-after (i64), serial length + serial, CN length + CN.
metadata=$(python3 -c 'import base64,struct; print(base64.b64encode(b"AP\x01" + struct.pack(">q", 1893456000) + b"\x03\x4a\x0b\x0c" + b"\x05alice").decode())')
openvpn --genkey tls-crypt-v2-server s.key >/dev/null
openvpn --tls-crypt-v2 s.key --genkey tls-crypt-v2-client c.key "$metadata" >/dev/null

python3 - > port.txt <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
s.settimeout(20)
data, _ = s.recvfrom(4096)
open("opening.hex", "w").write(data.hex().upper() + "\n")
PY
listener=$!
for _ in $(seq 50); do [[ -s port.txt ]] && break; sleep 0.1; done
port=$(cat port.txt)

openvpn --tls-client --dev null --proto udp4 --remote 127.0.0.1 "$port" --nobind --ca ca.pem --cert client.pem \
    --key client.key --tls-crypt-v2 c.key --connect-retry-max 1 --verb 1 >client.log 2>&1 &
client_pid=$!
wait "$listener"
kill "$client_pid" 2>/dev/null || true
wait "$client_pid" 2>/dev/null || true
client_pid=

body() { sed -e '/-----/d' "$1" | tr -d '\n'; }
{
    echo "# Made by tests/lab/record-tls-crypt-v2-vector.sh with $(openvpn --version | head -1 | cut -d' ' -f1-2): keys from openvpn --genkey"
    echo "# (client key metadata = 0x00 + our v1: serial 4A0B0C, CN alice, not-after 1893456000), opening = the real client's first datagram."
    echo "# Throw-away keys. Format: name, space, value (server/client key: the PEM body as one base64 line; opening: hex)."
    echo "server_key $(body s.key)"
    echo "client_key $(body c.key)"
    echo "opening $(cat opening.hex)"
} > "$out"
echo "wrote $out"

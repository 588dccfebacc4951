#!/usr/bin/env bash
# Harvest OpenVPN 2.6 wire vectors from a real server and client talking on 127.0.0.1.
#
# Usage: tests/lab/harvest-openvpn-vectors.sh [output-dir]
#   output-dir defaults to tests/Appliance.Tunnel.Tests/Vectors/openvpn (in this repo).
#
# Needs: root (a network namespace of its own, removed at the end; a 2.6 server in mode server needs a
# tap device), openvpn 2.6, openssl, ip, tcpdump, python3 (cuts logs and capture into vector files) and
# cc (for the small LD_PRELOAD shim below). Both taps are brought up inside the namespace so the kernel's
# own IPv6 ND/MLD frames cross the tunnel as real Ethernet payloads.
#
# Three sessions: AES-256-GCM + tls-crypt, AES-128-GCM + tls-auth (SHA1, key-direction 0/1),
# CHACHA20-POLY1305 + tls-auth with auth SHA256; each with `keepalive 1 10` so pings flow at once.
# HARVEST_KEEP=1 keeps the temporary directory; HARVEST_KEEP_LOGS=1 also copies the raw verb-9 logs
# and pcaps into the output directory (large; not committed).
#
# Why a shim: a 2.6 client always announces TLS-EKM (IV_PROTO bit 3, compiled in) and a 2.6 server then
# pushes tls-ekm; no option of either side turns that off (key-derivation/protocol-flags are push-only).
# The shim, preloaded into the *client* only, rewrites the client's peer-info line IV_PROTO=990 to
# IV_PROTO=470 (bits 3 and 9 cleared, same width) inside the key-method-2 plaintext before OpenSSL
# encrypts it, so the server pushes neither tls-ekm nor dyn-tls-crypt and both sides derive the data keys
# with the legacy OpenVPN PRF; at verb 7 both print the PRF inputs and the key block. The shim also logs
# every TLS plaintext record the client writes or reads (key-method-2 both ways, PUSH_REPLY).
#
# Everything runs in a temporary directory that is removed at the end; only processes this script
# started are stopped, by the PIDs they wrote.
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/../.." && pwd)
out_dir=${1:-$repo_root/tests/Appliance.Tunnel.Tests/Vectors/openvpn}
mkdir -p "$out_dir" && out_dir=$(cd "$out_dir" && pwd)
work=$(mktemp -d)
ns=ovpn-harvest-$$
pids=()

cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pidfile in "$work"/*.pid; do
        [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    sleep 0.5
    ip netns del "$ns" 2>/dev/null || true
    if [ -n "${HARVEST_KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

mkdir -p "$out_dir"
cd "$work"
ip netns add "$ns"
ip -n "$ns" link set lo up
inns() { ip netns exec "$ns" "$@"; }

# --- EC P-256 PKI -------------------------------------------------------------------------------
openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
openssl req -x509 -new -key ca.key -days 2 -subj "/CN=harvest-ca" -out ca.crt \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
issue() { # name eku
    openssl ecparam -name prime256v1 -genkey -noout -out "$1.key" 2>/dev/null
    openssl req -new -key "$1.key" -subj "/CN=$1" -out "$1.csr"
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\n' "$2" > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
        -extfile "$1.ext" -out "$1.crt" 2>/dev/null
}
issue server serverAuth
issue client clientAuth
openvpn --genkey secret ta.key

# --- the shim (our own code; see the header) ----------------------------------------------------
cat > shim.c <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int BIO_method_type(const void *b);
#define HARVEST_BIO_TYPE_SSL (7 | 0x0200)
static void dump(const char *dir, const unsigned char *p, int n) {
    const char *path = getenv("HARVEST_PLAINTEXT_LOG");
    if (!path || n <= 0) return;
    FILE *f = fopen(path, "a");
    if (!f) return;
    fprintf(f, "%s %d ", dir, n);
    for (int i = 0; i < n; i++) fprintf(f, "%02x", p[i]);
    fputc('\n', f);
    fclose(f);
}
int BIO_write(void *b, const void *data, int len) {
    static int (*real)(void *, const void *, int);
    if (!real) real = (int (*)(void *, const void *, int))dlsym(RTLD_NEXT, "BIO_write");
    if (len <= 0 || BIO_method_type(b) != HARVEST_BIO_TYPE_SSL) return real(b, data, len);
    unsigned char *copy = malloc((size_t)len);
    memcpy(copy, data, (size_t)len);
    if (getenv("HARVEST_CLEAR_EKM")) {
        for (int i = 0; i + 9 < len; i++) {
            if (memcmp(copy + i, "IV_PROTO=", 9) != 0) continue;
            int j = i + 9, v = 0, w = 0;
            while (j < len && copy[j] >= '0' && copy[j] <= '9') { v = v * 10 + (copy[j] - '0'); j++; w++; }
            v &= ~(8 | 512);
            for (int k = w - 1; k >= 0; k--) { copy[i + 9 + k] = (unsigned char)('0' + v % 10); v /= 10; }
        }
    }
    int r = real(b, copy, len);
    if (r > 0) dump("SEND", copy, r);
    free(copy);
    return r;
}
int BIO_read(void *b, void *data, int len) {
    static int (*real)(void *, void *, int);
    if (!real) real = (int (*)(void *, void *, int))dlsym(RTLD_NEXT, "BIO_read");
    int r = real(b, data, len);
    if (r > 0 && BIO_method_type(b) == HARVEST_BIO_TYPE_SSL) dump("RECV", data, r);
    return r;
}
C
cc -shared -fPIC -O2 -o shim.so shim.c -ldl

run() { # name cipher wrap port   (wrap: tls-crypt | tls-auth | tls-auth-sha256)
    local tag=$1 cipher=$2 wrap=$3 port=$4 server_wrap client_wrap
    case $wrap in
        tls-crypt)       server_wrap="tls-crypt ta.key";              client_wrap="tls-crypt ta.key" ;;
        tls-auth)        server_wrap="tls-auth ta.key 0";             client_wrap="tls-auth ta.key 1" ;;
        tls-auth-sha256) server_wrap=$'tls-auth ta.key 0\nauth SHA256'; client_wrap=$'tls-auth ta.key 1\nauth SHA256' ;;
    esac
    cat > server.conf <<CONF
cd $work
mode server
tls-server
proto udp4
local 127.0.0.1
port $port
dev tap-hs
dev-type tap
ca ca.crt
cert server.crt
key server.key
dh none
$server_wrap
keepalive 1 10
data-ciphers $cipher
verb 9
log server-$tag.log
writepid server.pid
CONF
    cat > client.conf <<CONF
cd $work
client
dev tap-hc
dev-type tap
proto udp4
remote 127.0.0.1 $port
nobind
remote-cert-tls server
ca ca.crt
cert client.crt
key client.key
$client_wrap
explicit-exit-notify 1
tls-exit
connect-retry-max 1
verb 9
log client-$tag.log
writepid client.pid
CONF
    rm -f server.pid client.pid
    ip netns exec "$ns" tcpdump -i lo -U -s 0 -w "capture-$tag.pcap" udp port "$port" 2>/dev/null &
    local dump_pid=$!
    pids+=("$dump_pid")
    sleep 1
    inns openvpn --config server.conf --daemon || { cat "server-$tag.log" >&2; return 1; }
    sleep 1
    HARVEST_CLEAR_EKM=1 HARVEST_PLAINTEXT_LOG="$work/plaintext-$tag.log" LD_PRELOAD="$work/shim.so" \
        ip netns exec "$ns" openvpn --config client.conf --daemon
    for _ in $(seq 1 30); do
        grep -q "Initialization Sequence Completed" "client-$tag.log" 2>/dev/null && break
        sleep 0.5
    done
    # Bring both taps up: the kernel's IPv6 ND/MLD frames then cross the tunnel as real payloads.
    ip -n "$ns" link set tap-hs up
    ip -n "$ns" link set tap-hc up
    sleep 4
    kill -TERM "$(cat client.pid)"   # explicit-exit-notify + pushed cc-exit: EXIT over the control channel
    sleep 2
    kill -TERM "$(cat server.pid)"
    sleep 1
    kill -TERM "$dump_pid"
    wait "$dump_pid" 2>/dev/null || true
    python3 - "$tag" "$cipher" "$wrap" "$port" "$out_dir" <<'PY'
import re, struct, sys
tag, cipher, wrap, port, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
hexre = lambda s: s.replace(" ", "").strip()
def lines(name):
    with open(name, errors="replace") as f:
        return f.read().splitlines()
client, server = lines(f"client-{tag}.log"), lines(f"server-{tag}.log")
def first(log, pattern):
    for l in log:
        m = re.search(pattern, l)
        if m:
            return hexre(m.group(1))
    raise SystemExit(f"{tag}: no line matches {pattern}")
session = {
    "cipher": cipher, "wrap": wrap,
    "client_session_id": first(client, r"Initial Handshake, sid=([0-9a-f ]+)$"),
    "server_session_id": first(client, r"Initial packet from .*sid=([0-9a-f ]+)$"),
    "peer_id": first(client, r"Data Channel: cipher .*peer-id: (\d+)"),
}
for side in ("Client", "Server"):
    for field in ("pre_master", "random1", "random2"):
        session[f"{side.lower()}_{field}"] = first(client, rf"{side} {field}: ([0-9a-f ]+)$")
session["client_to_server_cipher_key"] = first(client, r"Master Encrypt \(cipher[^)]*\): ([0-9a-f ]+)$")
session["server_to_client_cipher_key"] = first(client, r"Master Decrypt \(cipher[^)]*\): ([0-9a-f ]+)$")
session["client_to_server_implicit_iv"] = first(client, r" ENCRYPT IV: [0-9a-f]{8} ([0-9a-f ]+)$")
session["server_to_client_implicit_iv"] = first(server, r" ENCRYPT IV: [0-9a-f]{8} ([0-9a-f ]+)$")
session["push_reply"] = re.search(r"SENT CONTROL \[client\]: '([^']*)'", "\n".join(server)).group(1)
with open(f"{out}/session-{tag}.txt", "w") as f:
    f.write(f"# One real OpenVPN 2.6 session ({cipher}, {wrap}, PRF keys); see README.md.\n")
    for k, v in session.items():
        f.write(f"{k}: {v}\n")

# Wrapped packets with their clear text, as logged by each side at verb 9 (only fully printed ones).
if wrap == "tls-crypt":
    with open(f"{out}/tls-crypt-wraps-{tag}.txt", "w") as f:
        f.write("# sender header(AD) clear tag, from TLS-CRYPT WRAP lines (the wire bytes are in packets-*.txt); see README.md.\n")
        for sender, log in (("server", server), ("client", client)):
            rec = {}
            for l in log:
                m = re.search(r"TLS-CRYPT WRAP (FROM|AD|TAG|TO): (.*)$", l)
                if not m:
                    continue
                rec[m.group(1)] = m.group(2)
                if m.group(1) == "TO":
                    if all(k in rec and "more" not in rec[k] for k in ("AD", "FROM", "TAG")):
                        f.write(f"{sender} {hexre(rec['AD'])} {hexre(rec['FROM'])} {hexre(rec['TAG'])}\n")
                    rec = {}

# Every UDP payload from the capture, in order, with its direction.
with open(f"capture-{tag}.pcap", "rb") as f:
    data = f.read()
magic = struct.unpack("<I", data[:4])[0]
endian = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
link = struct.unpack(endian + "I", data[20:24])[0]
pos, rows = 24, []
while pos + 16 <= len(data):
    incl = struct.unpack(endian + "IIII", data[pos:pos + 16])[2]
    frame = data[pos + 16:pos + 16 + incl]
    pos += 16 + incl
    ip = frame[14:] if link == 1 else frame[16:] if link == 113 else frame
    ihl = (ip[0] & 0x0F) * 4
    sport, dport = struct.unpack(">HH", ip[ihl:ihl + 4])
    payload = ip[ihl + 8:]
    rows.append(("s2c" if sport == port else "c2s", payload.hex()))
with open(f"{out}/packets-{tag}.txt", "w") as f:
    f.write(f"# UDP payloads of the session in session-{tag}.txt, in capture order; see README.md.\n")
    for d, h in rows:
        f.write(f"{d} {h}\n")

# TLS plaintext records seen by the client (key-method-2 both ways, PUSH_REPLY, EXIT).
with open(f"plaintext-{tag}.log") as f, open(f"{out}/plaintext-{tag}.txt", "w") as o:
    o.write("# TLS plaintext written (c2s) / read (s2c) by the client, in order; see README.md.\n")
    for l in f:
        d, n, h = l.split()
        o.write(f"{'c2s' if d == 'SEND' else 's2c'} {h}\n")
PY
}

port=$(( 20000 + RANDOM % 20000 ))
run aes-256-gcm-tls-crypt AES-256-GCM tls-crypt "$port"
run aes-128-gcm-tls-auth AES-128-GCM tls-auth "$((port + 1))"
run chacha20-poly1305-tls-auth-sha256 CHACHA20-POLY1305 tls-auth-sha256 "$((port + 2))"
cp ta.key "$out_dir/static.key"
if [ -n "${HARVEST_KEEP_LOGS:-}" ]; then cp ./*.log ./*.pcap "$out_dir/"; fi
echo "harvested into $out_dir"

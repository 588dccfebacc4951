#!/usr/bin/env bash
# Boots an appliance image under QEMU (software emulation, no KVM) the way Proxmox would run it, and
# passes when, from the host, appliance-agent answers GET /healthz over HTTPS with the certificate whose
# fingerprint it published in /var/lib/appliance/api.fingerprint (read through the QEMU guest agent, as
# the panel's deploy does), GET /api/v1/health answers 401 without the pairing token and 200 with the
# token the NoCloud seed preset (its uplink being the second NIC, net1), a token written later through
# the guest agent (the deploy's way) is adopted, the agent's systemd sandbox can make a TAP device and a
# bridge, and the guest powers off through the guest agent.
#
# Usage: deploy/proxmox/boot-test.sh [--firmware bios|uefi] IMAGE.qcow2
# The image itself is never written: the guest runs on a throw-away overlay. The guest gets a NoCloud
# seed (user "tester" with an SSH key made for this run, a pairing token made for this run, net0 named
# eth0 by MAC as Proxmox's seed does), two virtio NICs on user-mode networking that can reach nothing
# outside (restrict=on), and one port forward from 127.0.0.1:<free port> to the agent's 7443 on net0.
# Environment: BOOT_TEST_TIMEOUT (seconds to wait for /healthz, default 300), BOOT_TEST_MEMORY_MIB (1024),
# BOOT_TEST_KEEP=1 keeps the work directory (serial log, overlay, seed) for a post-mortem.
# Exit code 0 = pass; on failure the tail of the serial console is printed.
set -euo pipefail

die() { echo "boot-test: $*" >&2; exit 1; }
say() { printf 'boot-test: [%4ds] %s\n' "$SECONDS" "$*"; }

firmware=bios
image=
while (($#)); do
  case "$1" in
    --firmware) firmware=${2:?--firmware needs bios or uefi}; shift 2 ;;
    -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}"; exit 0 ;;
    -*) die "unknown option '$1'; known: --firmware bios|uefi" ;;
    *) [[ -z $image ]] || die "one image only"; image=$1; shift ;;
  esac
done
[[ -n $image ]] || die "usage: boot-test.sh [--firmware bios|uefi] IMAGE.qcow2"
[[ -f $image ]] || die "image '$image' not found"
[[ $firmware == bios || $firmware == uefi ]] || die "--firmware '$firmware': use bios or uefi"
timeout_s=${BOOT_TEST_TIMEOUT:-300}
memory_mib=${BOOT_TEST_MEMORY_MIB:-1024}
[[ $timeout_s =~ ^[0-9]+$ && $memory_mib =~ ^[0-9]+$ ]] || die "BOOT_TEST_TIMEOUT and BOOT_TEST_MEMORY_MIB must be numbers"

tools=(qemu-system-x86 qemu-utils cloud-image-utils openssh-client curl openssl python3 iproute2)
[[ $firmware == uefi ]] && tools+=(ovmf)
missing=()
for p in "${tools[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  [[ $(id -u) -eq 0 ]] || die "missing Debian packages: ${missing[*]}; run as root or install them"
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
    --no-install-recommends "${missing[@]}" >/dev/null
fi

image=$(cd "$(dirname "$image")" && pwd)/$(basename "$image")
work=$(mktemp -d "${TMPDIR:-/tmp}/appliance-boot.XXXXXX")
qemu_pid=
cleanup() {
  if [[ -n $qemu_pid ]] && kill -0 "$qemu_pid" 2>/dev/null; then
    kill "$qemu_pid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$qemu_pid" 2>/dev/null || true
  fi
  if [[ ${BOOT_TEST_KEEP:-0} == 1 ]]; then echo "boot-test: work directory kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

fail() {
  echo "boot-test: FAIL: $*" >&2
  if [[ -s $work/serial.log ]]; then
    echo "boot-test: last 60 lines of the serial console:" >&2
    tail -n 60 "$work/serial.log" | tr -d '\r' >&2
  fi
  [[ -s $work/qemu.log ]] && { echo "boot-test: qemu said:" >&2; cat "$work/qemu.log" >&2; }
  exit 1
}

qemu-img create -q -f qcow2 -F qcow2 -b "$image" "$work/overlay.qcow2"

ssh-keygen -q -t ed25519 -N '' -C boot-test -f "$work/id_ed25519"
# Pairing tokens as the panel makes them (32 random bytes, base64url): one preset by the seed, one written
# later through the guest agent as the Proxmox deploy does.
new_token() { head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }
seed_token=$(new_token)
deploy_token=$(new_token)
net0_mac=52:54:00:a1:00:00
net1_mac=52:54:00:a1:00:01
cat >"$work/user-data" <<EOF
#cloud-config
users:
  - name: tester
    shell: /bin/bash
    lock_passwd: true
    ssh_authorized_keys:
      - $(cat "$work/id_ed25519.pub")
EOF
# The agent's sandbox (appliance-agent.service's user, capabilities and restrictions) must allow what
# the engine does to devices: make a TAP device and a bridge and enslave one to the other. A copy of the
# unit with ExecStart replaced tries exactly that, and reports on the serial console. It runs beside the
# agent, so it leaves out the agent's prestart and directories (a second dynamic user would take over the
# state directory, and its stop would remove the agent's runtime directory).
cat >>"$work/user-data" <<EOF
write_files:
  - path: /etc/appliance/pairing.token
    permissions: '0600'
    content: $seed_token
EOF
cat >>"$work/user-data" <<'EOF'
  - path: /run/appliance-boot-test/sandbox-check.sh
    permissions: '0755'
    content: |
      #!/bin/sh
      unit=/run/systemd/system/appliance-sandbox-check.service
      mkdir -p "$unit.d"
      cp /etc/systemd/system/appliance-agent.service "$unit"
      printf '%s\n' '[Service]' 'Type=oneshot' 'Restart=no' 'ExecStartPre=' 'StateDirectory=' 'RuntimeDirectory=' 'ReadWritePaths=' 'WorkingDirectory=/' 'ExecStart=' \
        "ExecStart=/bin/sh -c 'ip tuntap add dev sbxtap0 mode tap && ip link add sbxbr0 type bridge && ip link set sbxtap0 master sbxbr0 && ip link del sbxbr0 && ip link del sbxtap0'" \
        >"$unit.d/check.conf"
      systemctl daemon-reload
      if systemctl start appliance-sandbox-check.service; then result=ok; else result=failed; fi
      journalctl -u appliance-sandbox-check.service -o cat --no-pager >/dev/ttyS0 2>&1
      echo "appliance-sandbox-check: $result" >/dev/ttyS0
runcmd:
  - [sh, /run/appliance-boot-test/sandbox-check.sh]
EOF
printf 'instance-id: boot-test-%s\nlocal-hostname: appliance-boot-test\n' "$$" >"$work/meta-data"
# What Proxmox's NoCloud seed says with ipconfig0 only (the deploy's and install-on-pve.sh's case): net0 becomes eth0
# by MAC, on DHCP; net1, the PPPoE NIC, is not mentioned and keeps its kernel name.
cat >"$work/network-config" <<EOF
version: 1
config:
  - type: physical
    name: eth0
    mac_address: '$net0_mac'
    subnets:
      - type: dhcp
EOF
cloud-localds --network-config="$work/network-config" "$work/seed.iso" "$work/user-data" "$work/meta-data"

# A free loopback port: the first one in a random run that nothing listens on.
port=
start=$(( 20000 + RANDOM % 30000 ))
for ((p = start; p < start + 200; p++)); do
  if [[ -z $(ss -Htln "sport = :$p") ]]; then port=$p; break; fi
done
[[ -n $port ]] || die "no free TCP port found in $start..$((start + 199))"

firmware_args=()
if [[ $firmware == uefi ]]; then
  cp /usr/share/OVMF/OVMF_VARS_4M.fd "$work/vars.fd"
  firmware_args=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd"
                 -drive "if=pflash,format=raw,unit=1,file=$work/vars.fd")
fi

# Hardware as install-on-pve.sh sets it up: q35, virtio-scsi-single with the disk and the cloud-init
# drive on SCSI, virtio NICs net0 and net1 in Proxmox's slots (0x12, 0x13), a virtio-serial port for the
# guest agent, the console on the serial port.
say "booting $(basename "$image") ($firmware, tcg) with the agent's 7443 forwarded to 127.0.0.1:$port"
qemu-system-x86_64 -accel tcg -machine q35 -cpu max -smp 2 -m "$memory_mib" \
  -display none -monitor none -serial "file:$work/serial.log" -no-reboot \
  "${firmware_args[@]}" \
  -device virtio-scsi-pci,id=scsi0 \
  -drive "if=none,id=disk0,format=qcow2,file=$work/overlay.qcow2,discard=unmap" \
  -device scsi-hd,bus=scsi0.0,drive=disk0,bootindex=1 \
  -drive "if=none,id=seed0,format=raw,media=cdrom,readonly=on,file=$work/seed.iso" \
  -device scsi-cd,bus=scsi0.0,drive=seed0 \
  -netdev "user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:$port-:7443" \
  -device "virtio-net-pci,netdev=net0,mac=$net0_mac,bus=pcie.0,addr=0x12" \
  -netdev "user,id=net1,restrict=on" \
  -device "virtio-net-pci,netdev=net1,mac=$net1_mac,bus=pcie.0,addr=0x13" \
  -chardev "socket,id=qga0,path=$work/qga.sock,server=on,wait=off" \
  -device virtio-serial-pci -device virtserialport,chardev=qga0,name=org.qemu.guest_agent.0 \
  >"$work/qemu.log" 2>&1 &
qemu_pid=$!

# The guest agent, as Proxmox's API uses it: guest-sync, then one command per connection.
cat >"$work/qga.py" <<'EOF'
import base64, json, socket, sys

def call(execute, **arguments):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(sys.argv[1])
    request = {"execute": execute, "arguments": arguments} if arguments else {"execute": execute}
    s.sendall(b'{"execute":"guest-sync","arguments":{"id":4711}}\n' + json.dumps(request).encode() + b'\n')
    buf = b''
    while buf.count(b'\n') < 2:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    s.close()
    answer = json.loads(buf.decode().splitlines()[-1])
    if "error" in answer:
        raise SystemExit(f"{execute}: {answer['error']}")
    return answer.get("return")

command = sys.argv[2]
if command == "ping":
    print(json.dumps(call("guest-ping")))
elif command == "read":
    handle = call("guest-file-open", path=sys.argv[3], mode="r")
    data = call("guest-file-read", handle=handle, count=65536)
    call("guest-file-close", handle=handle)
    sys.stdout.write(base64.b64decode(data["buf-b64"]).decode())
elif command == "write":
    handle = call("guest-file-open", path=sys.argv[3], mode="w")
    call("guest-file-write", handle=handle, **{"buf-b64": base64.b64encode(sys.argv[4].encode()).decode()})
    call("guest-file-close", handle=handle)
elif command == "nic-by-mac":
    for nic in call("guest-network-get-interfaces"):
        if nic.get("hardware-address", "").lower() == sys.argv[3].lower():
            print(nic["name"])
elif command == "shutdown":
    call("guest-shutdown")
EOF
qga() { python3 "$work/qga.py" "$work/qga.sock" "$@"; }
url=https://127.0.0.1:$port
# -k: the certificate is self-signed; it is pinned below by its fingerprint, as the panel pins it.
get() { curl -ksS --max-time 10 -o "$work/body" -w '%{http_code}' "$@"; }

liveness=
deadline=$(( SECONDS + timeout_s ))
while ((SECONDS < deadline)); do
  kill -0 "$qemu_pid" 2>/dev/null || { qemu_pid=; fail "QEMU exited before /healthz answered"; }
  if [[ $(get "$url/healthz" 2>/dev/null) == 200 ]]; then liveness=$(cat "$work/body"); break; fi
  sleep 3
done
[[ -n $liveness ]] || fail "GET $url/healthz did not answer 200 within ${timeout_s}s"
[[ $liveness == ok ]] || fail "GET /healthz answered 200 but '$liveness' instead of 'ok'"
say "GET /healthz -> 200 $liveness"

# The fingerprint the agent published (what the deploy reads through the guest agent) must be the served certificate's.
published=
for _ in $(seq 1 20); do
  published=$(qga read /var/lib/appliance/api.fingerprint 2>/dev/null | tr -d '[:space:]') && [[ -n $published ]] && break
  sleep 3
done
[[ -n $published ]] || fail "could not read /var/lib/appliance/api.fingerprint through the guest agent"
served=$(openssl s_client -connect "127.0.0.1:$port" </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256 | sed 's/^.*=//')
[[ -n $served ]] || fail "could not read the certificate the agent serves on $url"
[[ ${published^^} == "${served^^}" ]] || fail "the agent serves certificate $served but published $published"
say "API certificate: SHA-256 $served, as published in /var/lib/appliance/api.fingerprint"

code=$(get "$url/api/v1/health")
[[ $code == 401 ]] || fail "GET /api/v1/health without a token answered $code, not 401: $(cat "$work/body")"
say "GET /api/v1/health without a token -> 401"
code=$(get -H "Authorization: Bearer $seed_token" "$url/api/v1/health")
health=$(cat "$work/body")
[[ $code == 200 ]] || fail "GET /api/v1/health with the seed's pairing token answered $code: $health"
[[ $health == *'"version"'* && $health == *'"uplink"'* ]] || fail "/api/v1/health answered 200 but not with the agent's health: $health"
say "GET /api/v1/health with the seed's pairing token -> 200 $health"

uplink=$(qga nic-by-mac "$net1_mac")
[[ -n $uplink ]] || fail "the guest agent reports no NIC with net1's MAC $net1_mac"
[[ $health == *"\"uplink\":\"$uplink\""* && $health == *'"uplinkKind":"raw-nic"'* ]] \
  || fail "the agent's uplink is not net1 ($uplink, MAC $net1_mac) on a raw socket: $health"
say "uplink: net1 is '$uplink' in the guest, the agent's raw-nic uplink"

# The deploy writes its token through the guest agent after boot: the agent must adopt it (the path unit restarts it).
qga write /etc/appliance/pairing.token "$deploy_token" || fail "could not write /etc/appliance/pairing.token through the guest agent"
adopted=
for _ in $(seq 1 60); do
  if [[ $(get -H "Authorization: Bearer $deploy_token" "$url/api/v1/health" 2>/dev/null) == 200 ]]; then adopted=1; break; fi
  sleep 2
done
[[ -n $adopted ]] || fail "the agent did not adopt the pairing token written through the guest agent within 120 s"
code=$(get -H "Authorization: Bearer $seed_token" "$url/api/v1/health")
[[ $code == 401 ]] || fail "the seed's token still answered $code after the deploy's token was adopted"
say "a token written through the guest agent is adopted (200), the previous one refused (401)"

sandbox=
while ((SECONDS < deadline)); do
  sandbox=$(tr -d '\r' <"$work/serial.log" | sed -n 's/^.*appliance-sandbox-check: \(ok\|failed\).*$/\1/p' | tail -n1)
  [[ -n $sandbox ]] && break
  kill -0 "$qemu_pid" 2>/dev/null || { qemu_pid=; fail "QEMU exited before the sandbox check reported"; }
  sleep 2
done
[[ $sandbox == ok ]] || fail "appliance-agent.service's sandbox could not create a TAP device and a bridge (${sandbox:-no report})"
say "agent sandbox: TAP device and bridge created and removed as the agent's dynamic user"

# Proxmox reads the guest's addresses and shuts it down through the guest agent: it must answer too.
answer=$(qga ping) || fail "the QEMU guest agent did not answer guest-ping"
say "guest agent: guest-ping -> $answer"
qga shutdown >/dev/null 2>&1 || true
for _ in $(seq 1 60); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$qemu_pid" 2>/dev/null; then say "guest still running 30 s after guest-shutdown; stopping QEMU"
else say "guest powered off"; qemu_pid=; fi
say "PASS"

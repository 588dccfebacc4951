#!/usr/bin/env bash
# Boots an appliance image under QEMU (software emulation, no KVM) the way Proxmox would run it, and
# passes when appliance-agent answers GET /health from the host, the agent's systemd sandbox can make a TAP
# device and a bridge, and the QEMU guest agent answers a ping.
#
# Usage: deploy/proxmox/boot-test.sh [--firmware bios|uefi] IMAGE.qcow2
# The image itself is never written: the guest runs on a throw-away overlay. The guest gets a NoCloud
# seed (user "tester" with an SSH key made for this run), user-mode networking that can reach nothing
# outside (restrict=on), and one port forward from 127.0.0.1:<free port> to the agent's 7080.
# Environment: BOOT_TEST_TIMEOUT (seconds to wait for /health, default 300), BOOT_TEST_MEMORY_MIB (1024),
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
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}"; exit 0 ;;
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

tools=(qemu-system-x86 qemu-utils cloud-image-utils openssh-client curl iproute2)
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
# unit with only ExecStart replaced tries exactly that, and reports on the serial console.
cat >>"$work/user-data" <<'EOF'
write_files:
  - path: /run/appliance-boot-test/sandbox-check.sh
    permissions: '0755'
    content: |
      #!/bin/sh
      unit=/run/systemd/system/appliance-sandbox-check.service
      mkdir -p "$unit.d"
      cp /etc/systemd/system/appliance-agent.service "$unit"
      printf '%s\n' '[Service]' 'Type=oneshot' 'Restart=no' 'ExecStart=' \
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
cloud-localds "$work/seed.iso" "$work/user-data" "$work/meta-data"

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
# drive on SCSI, a virtio NIC, a virtio-serial port for the guest agent, the console on the serial port.
say "booting $(basename "$image") ($firmware, tcg) with /health forwarded to 127.0.0.1:$port"
qemu-system-x86_64 -accel tcg -machine q35 -cpu max -smp 2 -m "$memory_mib" \
  -display none -monitor none -serial "file:$work/serial.log" -no-reboot \
  "${firmware_args[@]}" \
  -device virtio-scsi-pci,id=scsi0 \
  -drive "if=none,id=disk0,format=qcow2,file=$work/overlay.qcow2,discard=unmap" \
  -device scsi-hd,bus=scsi0.0,drive=disk0,bootindex=1 \
  -drive "if=none,id=seed0,format=raw,media=cdrom,readonly=on,file=$work/seed.iso" \
  -device scsi-cd,bus=scsi0.0,drive=seed0 \
  -netdev "user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:$port-:7080" \
  -device virtio-net-pci,netdev=net0 \
  -chardev "socket,id=qga0,path=$work/qga.sock,server=on,wait=off" \
  -device virtio-serial-pci -device virtserialport,chardev=qga0,name=org.qemu.guest_agent.0 \
  >"$work/qemu.log" 2>&1 &
qemu_pid=$!

health=
deadline=$(( SECONDS + timeout_s ))
while ((SECONDS < deadline)); do
  kill -0 "$qemu_pid" 2>/dev/null || { qemu_pid=; fail "QEMU exited before /health answered"; }
  if body=$(curl -fsS --max-time 5 "http://127.0.0.1:$port/health" 2>/dev/null); then
    health=$body
    break
  fi
  sleep 3
done
[[ -n $health ]] || fail "GET http://127.0.0.1:$port/health did not answer 200 within ${timeout_s}s"
[[ $health == *'"version"'* && $health == *'"ports"'* ]] || fail "/health answered 200 but not with the agent's status: $health"
say "GET /health -> 200 $health"

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
qga() {
  python3 - "$work/qga.sock" "$1" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(b'{"execute":"guest-sync","arguments":{"id":4711}}\n' + sys.argv[2].encode() + b'\n')
buf = b''
while buf.count(b'\n') < 2:
    chunk = s.recv(4096)
    if not chunk:
        break
    buf += chunk
print(buf.decode().splitlines()[-1] if buf else '')
EOF
}
if command -v python3 >/dev/null; then
  answer=
  for _ in $(seq 1 20); do
    answer=$(qga '{"execute":"guest-ping"}' 2>/dev/null) && [[ $answer == *'"return"'* ]] && break
    answer=
    sleep 3
  done
  [[ -n $answer ]] || fail "the QEMU guest agent did not answer guest-ping"
  say "guest agent: guest-ping -> $answer"
  qga '{"execute":"guest-shutdown"}' >/dev/null 2>&1 || true
  for _ in $(seq 1 60); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$qemu_pid" 2>/dev/null; then say "guest still running 30 s after guest-shutdown; stopping QEMU"
  else say "guest powered off"; qemu_pid=; fi
else
  say "python3 not found: guest agent not checked"
fi
say "PASS"

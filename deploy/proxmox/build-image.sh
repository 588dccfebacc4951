#!/usr/bin/env bash
# Builds the appliance VM image: a minimal Debian 12 with cloud-init, the QEMU guest agent, SSH and
# appliance-agent, on a GPT disk that boots with BIOS and UEFI, as a compressed qcow2.
#
# Usage: deploy/proxmox/build-image.sh [--version V] [--cache-dir DIR] OUTPUT_DIR
#   Writes OUTPUT_DIR/appliance-<version>.qcow2 and prints its path on the last line of output.
#   --version     image and agent version (default: $APPLIANCE_VERSION, else `git describe`)
#   --cache-dir   reuse an image built from the same inputs (agent build, these scripts and files),
#                 if it is younger than $APPLIANCE_IMAGE_CACHE_DAYS days (default 7: security updates)
# Runs as root on Debian 12 and installs its own build tools. Needs no loop devices and mounts nothing
# on the host: the file systems are written straight into the disk file.
# Environment: APPLIANCE_DISK_MIB (virtual disk size, default 2048; Proxmox can grow it later,
# cloud-init's growpart then grows the root partition, which is the last one on purpose).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
suite=bookworm

die() { echo "build-image: $*" >&2; exit 1; }
say() { printf 'build-image: [%4ds] %s\n' "$SECONDS" "$*"; }

version=${APPLIANCE_VERSION:-}
cache_dir=
out_dir=
while (($#)); do
  case "$1" in
    --version) version=${2:?--version needs a value}; shift 2 ;;
    --cache-dir) cache_dir=${2:?--cache-dir needs a value}; shift 2 ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}"; exit 0 ;;
    -*) die "unknown option '$1'; known: --version, --cache-dir" ;;
    *) [[ -z $out_dir ]] || die "one output directory only (got '$out_dir' and '$1')"; out_dir=$1; shift ;;
  esac
done
[[ -n $out_dir ]] || die "usage: build-image.sh [--version V] [--cache-dir DIR] OUTPUT_DIR"
[[ $(id -u) -eq 0 ]] || die "must run as root (mmdebstrap builds the root file system with real ownership)"
[[ -r /etc/debian_version ]] || die "needs a Debian 12 host"
if [[ -z $version ]]; then
  version=$(git -C "$repo" describe --tags --always --dirty 2>/dev/null || echo dev)
fi
[[ $version =~ ^[A-Za-z0-9][A-Za-z0-9._+-]*$ ]] || die "version '$version' must be letters, digits and . _ + -"
disk_mib=${APPLIANCE_DISK_MIB:-2048}
[[ $disk_mib =~ ^[0-9]+$ ]] || die "APPLIANCE_DISK_MIB '$disk_mib' must be a number of MiB"
((disk_mib >= 1024)) || die "APPLIANCE_DISK_MIB '$disk_mib' must be a number of MiB >= 1024"

# --- build tools ---------------------------------------------------------------------------------
tools=(mmdebstrap qemu-utils grub-pc-bin grub-efi-amd64-bin grub-common mtools dosfstools e2fsprogs
       fdisk util-linux systemd coreutils)
missing=()
for p in "${tools[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
    --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is needed to publish the agent"

sources=
for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
  if [[ -s $f ]] && grep -Eq '^[[:space:]]*(deb |URIs:)' "$f"; then sources=$f; break; fi
done
[[ -n $sources ]] || die "no Debian apt sources file found (looked at /etc/apt/sources.list.d/debian.sources and /etc/apt/sources.list)"

mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
image="$out_dir/appliance-$version.qcow2"
work=$(mktemp -d "${TMPDIR:-/tmp}/appliance-image.XXXXXX")
# APPLIANCE_KEEP_WORK=1 keeps the work directory (root tree, raw disk, logs) for a post-mortem.
if [[ ${APPLIANCE_KEEP_WORK:-0} == 1 ]]; then trap 'echo "build-image: work directory kept: $work" >&2' EXIT; else trap 'rm -rf "$work"' EXIT; fi

# --- the agent -----------------------------------------------------------------------------------
say "publishing appliance-agent $version (self-contained, linux-x64)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Own artifacts path: never touches the repository's bin/ and obj/, which a running build may use.
dotnet publish "$repo/src/Appliance.Agent" -c Release -r linux-x64 --self-contained \
  --artifacts-path "$work/dotnet" -o "$work/agent" --nologo --verbosity quiet \
  -p:DebugType=none -p:InformationalVersion="$version" -p:IncludeSourceRevisionInInformationalVersion=false \
  >"$work/publish.log" 2>&1 || { cat "$work/publish.log" >&2; die "dotnet publish failed"; }
[[ -x $work/agent/appliance-agent ]] || die "publish produced no appliance-agent executable"

# --- cache ---------------------------------------------------------------------------------------
inputs_hash() {
  {
    (cd "$work/agent" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    (cd "$here" && find build-image.sh appliance-agent.service appliance-agent-pairing.path appliance-agent-pairing.service rootfs -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    echo "version=$version disk=$disk_mib suite=$suite"
  } | sha256sum | cut -c1-16
}
if [[ -n $cache_dir ]]; then
  mkdir -p "$cache_dir"
  key=$(inputs_hash)
  cached="$cache_dir/appliance-$key.qcow2"
  if [[ -f $cached ]] && [[ -z $(find "$cached" -mtime +"${APPLIANCE_IMAGE_CACHE_DAYS:-7}") ]]; then
    cp --reflink=auto "$cached" "$image.tmp" && mv "$image.tmp" "$image"
    say "inputs unchanged (key $key): reused $cached"
    echo "$image"
    exit 0
  fi
fi

# --- root file system ----------------------------------------------------------------------------
stage="$work/stage"
install -d "$stage/opt" "$stage/etc/systemd/system"
cp -a "$work/agent" "$stage/opt/appliance-agent"
for unit in appliance-agent.service appliance-agent-pairing.path appliance-agent-pairing.service; do
  install -m 0644 "$here/$unit" "$stage/etc/systemd/system/$unit"
done
cp -a "$here/rootfs/." "$stage/"
# The guest agent's file-write (the deploy's pairing token) does not create directories: /etc/appliance must exist.
[[ -f $stage/etc/appliance/agent.json ]] || die "rootfs/etc/appliance/agent.json is missing"
chmod 0755 "$stage/etc/appliance" "$stage/usr/libexec/appliance/agent-prestart"
chmod 0644 "$stage/etc/appliance/agent.json"
root_uuid=$(cat /proc/sys/kernel/random/uuid)
printf 'UUID=%s / ext4 errors=remount-ro 0 1\n' "$root_uuid" >"$stage/etc/fstab"
install -d "$stage/boot/grub"
# The kernel package keeps /vmlinuz and /initrd.img pointing at the newest kernel: no grub-mkconfig needed.
cat >"$stage/boot/grub/grub.cfg" <<EOF
serial --unit=0 --speed=115200
terminal_input console serial
terminal_output console serial
set timeout=1
set default=0
menuentry "Appliance $version (Debian 12)" {
  search --no-floppy --fs-uuid --set=root $root_uuid
  linux /vmlinuz root=UUID=$root_uuid ro console=tty0 console=ttyS0,115200n8
  initrd /initrd.img
}
EOF

# dbus lets systemd-logind run: without it neither the ACPI power button nor the guest agent's
# guest-shutdown (shutdown +0 goes through logind) can power the VM off from Proxmox.
packages=(linux-image-cloud-amd64 systemd-sysv udev dbus cloud-init cloud-guest-utils qemu-guest-agent
          openssh-server ifupdown isc-dhcp-client iproute2 ca-certificates e2fsprogs fdisk zstd)
say "building the Debian $suite root file system with mmdebstrap (mirror from $sources)"
q() { printf '%q' "$1"; }
# Hooks are shell snippets mmdebstrap runs with the root directory as $1: single quotes on purpose.
# shellcheck disable=SC2016
mmdebstrap --variant=minbase --mode=root --format=directory \
  --include="$(IFS=,; echo "${packages[*]}")" \
  --aptopt='APT::Install-Recommends "false"' \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  --customize-hook="cp -a $(q "$stage")/. \"\$1/\"" \
  --customize-hook='rm -f "$1"/etc/ssh/ssh_host_*' \
  --customize-hook='chroot "$1" systemctl enable appliance-agent.service appliance-agent-pairing.path ssh.service' \
  --customize-hook='rm -f "$1"/etc/resolv.conf; : >"$1"/etc/machine-id; rm -f "$1"/var/lib/dbus/machine-id' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/log/*.log' \
  "$suite" "$work/root" "$sources" >"$work/mmdebstrap.log" 2>&1 \
  || { tail -40 "$work/mmdebstrap.log" >&2; die "mmdebstrap failed"; }
root="$work/root"
[[ -e $root/vmlinuz && -e $root/initrd.img ]] || die "the kernel package left no /vmlinuz or /initrd.img symlink"
[[ -z $(find "$root/etc/ssh" -name 'ssh_host_*') ]] || die "SSH host keys are still in the image"

say "checking the units with systemd-analyze verify"
SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --root="$root" --man=no /etc/systemd/system/appliance-agent.service \
  /etc/systemd/system/appliance-agent-pairing.path /etc/systemd/system/appliance-agent-pairing.service >"$work/verify.log" 2>&1 \
  || { cat "$work/verify.log" >&2; die "systemd-analyze verify rejected the appliance-agent units"; }
# verify exits 0 on unknown keys and bad values ("ignoring"): any message at all is a failure here.
[[ ! -s $work/verify.log ]] || { cat "$work/verify.log" >&2; die "systemd-analyze verify warned about the appliance-agent units"; }

# --- disk ----------------------------------------------------------------------------------------
# GPT: 1 MiB BIOS boot (GRUB's core.img), 63 MiB ESP, root to the end so growpart can grow it.
root_mib=$(( $(du -sm "$root" | cut -f1) ))
(( disk_mib - 64 > root_mib * 13 / 10 + 256 )) || die "APPLIANCE_DISK_MIB $disk_mib is too small for a $root_mib MiB root"
disk="$work/disk.raw"
sectors=$(( disk_mib * 2048 ))
root_start=$(( 64 * 2048 ))
root_sectors=$(( (sectors - 34 - root_start) / 2048 * 2048 ))
truncate -s "${disk_mib}M" "$disk"
sfdisk --quiet "$disk" <<EOF
label: gpt
unit: sectors
start=2048, size=2048, type=21686148-6449-6E6F-744E-656564454649, name="bios-boot"
start=4096, size=126976, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="esp"
start=$root_start, size=$root_sectors, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="root"
EOF

say "writing the ext4 root ($root_mib MiB of files) into partition 3"
mkfs.ext4 -q -F -L appliance-root -U "$root_uuid" -E offset=$(( root_start * 512 )) \
  -d "$root" "$disk" "$(( root_sectors / 2 ))k"

say "installing GRUB for UEFI and BIOS"
cat >"$work/early.cfg" <<EOF
search --no-floppy --fs-uuid --set=root $root_uuid
set prefix=(\$root)/boot/grub
EOF
grub_modules=(part_gpt ext2 search search_fs_uuid normal configfile linux echo test serial terminal gzio)
grub-mkimage -O x86_64-efi -o "$work/BOOTX64.EFI" -p /boot/grub -c "$work/early.cfg" \
  "${grub_modules[@]}" efi_gop efi_uga
mkfs.vfat -C -n ESP "$work/esp.img" $(( 126976 / 2 )) >/dev/null
mmd -i "$work/esp.img" ::/EFI ::/EFI/BOOT
mcopy -i "$work/esp.img" "$work/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
dd if="$work/esp.img" of="$disk" bs=512 seek=4096 conv=notrunc status=none

install -d "$work/grub-pc"
cp /usr/lib/grub/i386-pc/boot.img "$work/grub-pc/"
grub-mkimage -O i386-pc -o "$work/grub-pc/core.img" -p /boot/grub -c "$work/early.cfg" \
  biosdisk "${grub_modules[@]}"
# grub-bios-setup looks up the device holding its --directory in /proc/self/mountinfo and refuses to
# go on unless that device is the disk it writes to. Seen from a private mount namespace, a fake
# one-line mountinfo says / lives on the disk file itself.
printf '1 1 0:1 / / rw - ext4 %s rw\n' "$disk" >"$work/mountinfo"
# shellcheck disable=SC2016 # the inner script expands its own positional parameters
unshare --mount --propagation private sh -c '
  mount --bind "$1" "/proc/$$/mountinfo" && exec /usr/lib/grub/i386-pc/grub-bios-setup --skip-fs-probe --directory="$2" "$3"
' sh "$work/mountinfo" "$work/grub-pc" "$disk" >"$work/grub-bios-setup.log" 2>&1 \
  || { cat "$work/grub-bios-setup.log" >&2; die "grub-bios-setup failed"; }

say "converting to a compressed qcow2"
qemu-img convert -c -O qcow2 -o compression_type=zstd "$disk" "$image.tmp"
mv "$image.tmp" "$image"
if [[ -n $cache_dir ]]; then
  rm -f "$cache_dir"/appliance-*.qcow2
  cp --reflink=auto "$image" "$cached.tmp" && mv "$cached.tmp" "$cached"
fi
say "done: $(du -m "$image" | cut -f1) MiB ($disk_mib MiB virtual), root UUID $root_uuid"
echo "$image"

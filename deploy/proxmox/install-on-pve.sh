#!/usr/bin/env bash
# Installs the appliance on a Proxmox VE host: creates a VM template from the appliance qcow2, clones one
# appliance from it, starts it and pairs it: writes a fresh pairing token through the guest agent and prints
# it with the agent's URL and certificate fingerprint. Run as root in the PVE host's shell (deploy/proxmox/README.md).
#
# Usage: install-on-pve.sh --image PATH|URL [options]
#   --image PATH|URL       appliance-<version>.qcow2 from build-image.sh            [$APPLIANCE_IMAGE]
#   --storage ID           storage for the disks and the cloud-init drive          [$APPLIANCE_STORAGE, local-lvm]
#   --bridge NAME          client-facing bridge, the appliance's net0              [$APPLIANCE_BRIDGE, vmbr0]
#   --pppoe-bridge NAME    bridge on the ISP/ONT port, the appliance's net1        [$APPLIANCE_PPPOE_BRIDGE, vmbr1]
#   --template-id N        VMID of the template; an existing template is reused    [$APPLIANCE_TEMPLATE_ID, next free]
#   --vmid N               VMID of the appliance cloned from it                    [$APPLIANCE_VMID, next free]
#   --name NAME            name of the appliance VM                                [appliance]
#   --ssh-key FILE         public key(s) for the cloud-init user                   [/root/.ssh/authorized_keys]
#   --ci-user NAME         cloud-init user                                         [appliance]
#   --ip CONFIG            net0 address: dhcp or ip=192.0.2.10/24,gw=192.0.2.1    [dhcp]
#   --cores N --memory MIB --disk-size SIZE                                        [2, 1024, 8G]
#   --no-start             create the template and the clone, do not start it
# Environment: APPLIANCE_AGENT_WAIT, seconds to wait for the guest agent after the start (default 180).
set -euo pipefail

die() { echo "install-on-pve: $*" >&2; exit 1; }
say() { echo "install-on-pve: $*"; }
run() { printf '+ %s\n' "$*"; "$@"; }

image=${APPLIANCE_IMAGE:-}
storage=${APPLIANCE_STORAGE:-local-lvm}
bridge=${APPLIANCE_BRIDGE:-vmbr0}
pppoe_bridge=${APPLIANCE_PPPOE_BRIDGE:-vmbr1}
template_id=${APPLIANCE_TEMPLATE_ID:-}
vmid=${APPLIANCE_VMID:-}
name=appliance
ssh_key=/root/.ssh/authorized_keys
ci_user=appliance
ipconfig=dhcp
cores=2
memory=1024
disk_size=8G
start=1
agent_wait=${APPLIANCE_AGENT_WAIT:-180}

while (($#)); do
  case "$1" in
    --image) image=${2:?}; shift 2 ;;
    --storage) storage=${2:?}; shift 2 ;;
    --bridge) bridge=${2:?}; shift 2 ;;
    --pppoe-bridge) pppoe_bridge=${2:?}; shift 2 ;;
    --template-id) template_id=${2:?}; shift 2 ;;
    --vmid) vmid=${2:?}; shift 2 ;;
    --name) name=${2:?}; shift 2 ;;
    --ssh-key) ssh_key=${2:?}; shift 2 ;;
    --ci-user) ci_user=${2:?}; shift 2 ;;
    --ip) ipconfig=${2:?}; shift 2 ;;
    --cores) cores=${2:?}; shift 2 ;;
    --memory) memory=${2:?}; shift 2 ;;
    --disk-size) disk_size=${2:?}; shift 2 ;;
    --no-start) start=0; shift ;;
    -h|--help) sed -n '2,22p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument '$1'; see --help" ;;
  esac
done

# --- checks before anything is created ---------------------------------------------------------------
[[ $(id -u) -eq 0 ]] || die "run as root on the Proxmox VE host (qm imports a local file only for root@pam)"
for tool in qm pvesm pvesh pveversion; do
  command -v "$tool" >/dev/null || die "'$tool' not found: this is not a Proxmox VE host"
done
[[ -n $image ]] || die "--image is required: the path or URL of appliance-<version>.qcow2"
[[ $name =~ ^[A-Za-z0-9][A-Za-z0-9.-]*$ ]] || die "--name '$name': letters, digits, '-' and '.' only (a DNS name)"
[[ $ci_user =~ ^[a-z_][a-z0-9_-]*$ ]] || die "--ci-user '$ci_user' is not a Linux user name"
[[ $cores =~ ^[0-9]+$ && $memory =~ ^[0-9]+$ ]] || die "--cores and --memory take numbers (got '$cores', '$memory')"
[[ $disk_size =~ ^[0-9]+[GM]$ ]] || die "--disk-size '$disk_size': a size like 8G"
[[ $agent_wait =~ ^[0-9]+$ ]] || die "APPLIANCE_AGENT_WAIT '$agent_wait' must be a number of seconds"
if [[ $ipconfig == dhcp ]]; then ipconfig=ip=dhcp; fi
[[ $ipconfig == ip=* ]] || die "--ip '$ipconfig': dhcp or ip=ADDRESS/PREFIX,gw=GATEWAY"
[[ -s $ssh_key ]] || die "SSH key file '$ssh_key' is missing or empty; pass --ssh-key with your public key (the appliance has no password login)"

pve_version=$(pveversion | sed -n 's|^pve-manager/\([0-9]*\)\.\([0-9]*\).*|\1 \2|p')
read -r pve_major pve_minor <<<"${pve_version:-0 0}"
((pve_major >= 7)) || die "Proxmox VE 7 or newer is needed (found '$(pveversion)')"

mapfile -t known_bridges < <(ip -o link show type bridge | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }')
for br in "$bridge" "$pppoe_bridge"; do
  printf '%s\n' "${known_bridges[@]}" | grep -qx -- "$br" || die "bridge '$br' not found; known bridges: ${known_bridges[*]:-none}. \
The PPPoE bridge holds only the ISP/ONT port and has no address (deploy/proxmox/README.md, 'The PPPoE bridge')."
done
[[ $bridge != "$pppoe_bridge" ]] || die "--bridge and --pppoe-bridge must differ: the PPPoE segment stays apart from the client network"
pvesm status -content images 2>/dev/null | awk 'NR > 1 { print $1 }' | grep -qx -- "$storage" \
  || die "storage '$storage' does not hold VM disks; candidates: $(pvesm status -content images 2>/dev/null | awk 'NR > 1 { printf "%s ", $1 }')"

work=$(mktemp -d /var/tmp/appliance-install.XXXXXX)
created=()
cleanup() {
  local status=$?
  if ((status != 0)) && ((${#created[@]})); then
    say "failed; removing what this run created: ${created[*]}"
    for id in "${created[@]}"; do qm stop "$id" --skiplock 1 >/dev/null 2>&1 || true; qm destroy "$id" --purge 1 >/dev/null 2>&1 || true; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if [[ $image == http://* || $image == https://* ]]; then
  say "downloading $image"
  run curl -fL --retry 3 -o "$work/appliance.qcow2" "$image"
  image="$work/appliance.qcow2"
fi
[[ -f $image ]] || die "image '$image' not found"
image=$(readlink -f "$image")
qemu-img info "$image" | grep -q '^file format: qcow2' || die "'$image' is not a qcow2 image"

is_template() { qm config "$1" 2>/dev/null | grep -q '^template: 1'; }
exists() { qm status "$1" >/dev/null 2>&1; }

# --- template --------------------------------------------------------------------------------------
if [[ -n $template_id ]] && is_template "$template_id"; then
  say "reusing template $template_id ($(qm config "$template_id" | sed -n 's/^name: //p'))"
else
  if [[ -z $template_id ]]; then template_id=$(pvesh get /cluster/nextid); fi
  exists "$template_id" && die "VMID $template_id exists and is not a template; choose another --template-id"
  say "creating template $template_id from $(basename "$image") on $storage"
  # The cloud kernel has no AHCI, LSI or e1000 drivers: virtio-scsi-single, virtio NICs, and the
  # cloud-init drive on SCSI (an IDE drive is invisible on q35). firewall=0 on the PPPoE NIC: the PVE
  # firewall's MAC filter would drop the frames of the hosts behind the tunnel.
  create=(qm create "$template_id" --name "$name-template" --ostype l26 --machine q35
          --cores "$cores" --memory "$memory" --scsihw virtio-scsi-single
          --net0 "virtio,bridge=$bridge,firewall=1" --net1 "virtio,bridge=$pppoe_bridge,firewall=0"
          --serial0 socket --vga serial0 --agent enabled=1 --onboot 1 --tags appliance
          --description "L2 VPN appliance template, from $(basename "$image")")
  created+=("$template_id")
  if ((pve_major > 7 || pve_minor >= 2)); then
    run "${create[@]}" --scsi0 "$storage:0,import-from=$image,discard=on,iothread=1"
  else
    # PVE < 7.2 has no import-from: import into the VM (it lands as unused0), then attach it.
    run "${create[@]}"
    run qm importdisk "$template_id" "$image" "$storage"
    volume=$(qm config "$template_id" | sed -n 's/^unused0: //p')
    [[ -n $volume ]] || die "qm importdisk left no unused0 disk to attach to VM $template_id"
    run qm set "$template_id" --scsi0 "$volume,discard=on,iothread=1" --delete unused0
  fi
  run qm set "$template_id" --scsi1 "$storage:cloudinit" --boot order=scsi0
  ciargs=(--ciuser "$ci_user" --sshkeys "$ssh_key" --ipconfig0 "$ipconfig")
  # ciupgrade exists from PVE 8.1 on and defaults to upgrading at first boot: an appliance boots offline-safe.
  if ((pve_major > 8 || (pve_major == 8 && pve_minor >= 1))); then ciargs+=(--ciupgrade 0); fi
  run qm set "$template_id" "${ciargs[@]}"
  run qm disk resize "$template_id" scsi0 "$disk_size" 2>/dev/null || run qm resize "$template_id" scsi0 "$disk_size"
  run qm template "$template_id"
  created=()   # a finished template is kept even if the clone below fails
fi

# --- appliance -------------------------------------------------------------------------------------
if [[ -z $vmid ]]; then vmid=$(pvesh get /cluster/nextid); fi
exists "$vmid" && die "VMID $vmid already exists; choose another --vmid"
say "cloning appliance $vmid ($name) from template $template_id"
created+=("$vmid")
run qm clone "$template_id" "$vmid" --name "$name" --full 1 --storage "$storage"
# A clone gets fresh MACs; cloud-init settings come from the template, the instance id from the new VMID.
run qm set "$vmid" --ciuser "$ci_user" --sshkeys "$ssh_key" --ipconfig0 "$ipconfig"

if ((start == 0)); then
  created=()
  say "done: template $template_id, appliance $vmid created (not started: qm start $vmid)"
  exit 0
fi
run qm start "$vmid"
created=()   # a started appliance is the operator's to keep or remove
say "waiting for the QEMU guest agent of $vmid (up to $agent_wait seconds)"
agent_up=0
addresses=
deadline=$((SECONDS + agent_wait))
while :; do
  if qm agent "$vmid" ping >/dev/null 2>&1; then
    agent_up=1
    addresses=$(qm guest cmd "$vmid" network-get-interfaces 2>/dev/null \
      | grep -o '"ip-address" *: *"[0-9.]*"' | grep -o '[0-9.]*"$' | tr -d '"' | grep -v '^127\.' | paste -sd' ' - || true)
    [[ -n $addresses ]] && break
  fi
  ((SECONDS < deadline)) || break
  sleep 3
done

# Pairing as the panel's deploy does it (src/Appliance.Proxmox/README.md, "pairing contract"): a fresh token written
# to /etc/appliance/pairing.token through the guest agent (the image restarts its agent to adopt it), and the API
# certificate's fingerprint read back from /var/lib/appliance/api.fingerprint. The token is printed once, below,
# for the operator to paste into the panel; it is never part of a printed command.
token=
fingerprint=
if ((agent_up)); then
  token=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
  say "+ pvesh create /nodes/localhost/qemu/$vmid/agent/file-write --file /etc/appliance/pairing.token --content (a new pairing token)"
  if ! pvesh create "/nodes/localhost/qemu/$vmid/agent/file-write" --file /etc/appliance/pairing.token --content "$token" >/dev/null; then
    say "could not write the pairing token through the guest agent"
    token=
  fi
  for _ in $(seq 1 20); do
    fingerprint=$(pvesh get "/nodes/localhost/qemu/$vmid/agent/file-read" --file /var/lib/appliance/api.fingerprint --output-format json 2>/dev/null \
      | grep -o '"content" *: *"[0-9A-Fa-f:]*' | sed 's/.*"//' || true)
    [[ -n $fingerprint ]] && break
    sleep 3
  done
fi

say "template:  $template_id ($name-template) on $storage"
say "appliance: $vmid ($name), net0 on $bridge, net1 on $pppoe_bridge (firewall off)"
if [[ -n $addresses ]]; then
  for a in $addresses; do
    say "  agent API: https://$a:7443/    ssh: ssh $ci_user@$a"
  done
else
  say "  no address reported yet; see 'qm guest cmd $vmid network-get-interfaces' or the console: qm terminal $vmid"
fi
if [[ -n $fingerprint ]]; then
  say "  API certificate SHA-256: $fingerprint (the panel pins it)"
fi
if [[ -n $token ]]; then
  say "  pairing token (shown only now; paste it into the panel's Agents page, 'Pair an agent'): $token"
else
  say "  pairing token: the agent printed one at its first start; on the appliance: journalctl -u appliance-agent | grep 'pairing token'"
fi

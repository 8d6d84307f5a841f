#!/bin/sh
# The KVM-host half of the demo: a host with guests, all patched in one run. On this machine it starts the real
# libvirtd, boots three throwaway TCG guests under it (two on the Debian generic kernel, one on the cloud kernel,
# each running qemu-guest-agent), publishes a signed feed with a live patch for each kernel and serves it on
# 127.0.0.1, and runs `patchvisor upgrade --guests`: one download per kernel, every guest patched through its
# agent, verified from inside. The guests are destroyed at the end. This machine's own kernel is never touched.
# Needs root (it installs the Debian packages it uses); under a minute once the packages are installed.
set -eu
top=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$top"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '\033[36m# %s\033[0m\n' "$*"; "$@"; rc=$?; [ $rc -eq 0 ] || printf '(exit code %d)\n' $rc; }
pv() { run "$top/bin/patchvisor" "$@"; }

echo "== installing what the demo needs (qemu, two Debian kernels with headers, libvirt, the guest agent)"
integration/vm/install-deps.sh
if [ -z "${PATCHVISOR_DEMO_BUILT:-}" ]; then   # set by the test that runs this demo inside the Maven build
    echo "== building patchvisor"
    ./mvnw -q -B -ntp -DskipTests package
fi

generic=$(ls /boot/vmlinuz-* | sed 's#.*/vmlinuz-##' | grep -- '-amd64$' | grep -v -- '-cloud-' | sort -V | tail -n 1)
cloud=$(ls /boot/vmlinuz-* | sed 's#.*/vmlinuz-##' | grep -- '-cloud-amd64$' | sort -V | tail -n 1)
[ -n "$generic" ] && [ -n "$cloud" ] || { echo "demo-guests: needs a generic and a cloud Debian kernel" >&2; exit 1; }
work=$top/integration/target/demo-guests
rm -rf "$work" && mkdir -p "$work"
for r in "$generic" "$cloud"; do
    echo "== building the sample live patches and the guest initramfs for $r"
    examples/livepatch/build.sh "$r" "integration/target/livepatch/$r" >/dev/null
    integration/vm/build-initramfs.sh "$r" "integration/target/initramfs/$r.cpio.gz" >/dev/null
done
integration/vm/start-libvirtd.sh

guests="pvdemo-generic-1:$generic pvdemo-generic-2:$generic pvdemo-cloud-1:$cloud"
server=""
cleanup() {
    for g in $guests; do virsh -q -c qemu:///system destroy "${g%%:*}" >/dev/null 2>&1 || true; done
    [ -z "$server" ] || kill "$server" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

step "A publisher's feed: pv_cmdline for both kernels, signed"
pv repo init "$work/repo" >/dev/null
trusted=$("$top/bin/patchvisor" repo keygen --out "$work/publisher.key" | sed -n 's/^trusted-key = //p')
pv repo add "$work/repo" "integration/target/livepatch/$generic/pv_cmdline.ko" --cve CVE-2024-1086
pv repo add "$work/repo" "integration/target/livepatch/$cloud/pv_cmdline.ko" --cve CVE-2024-1086
pv repo sign "$work/repo" --key "$work/publisher.key"
"$top/bin/patchvisor" repo serve "$work/repo" --bind 127.0.0.1 --port 0 --access-log > "$work/serve.log" 2>&1 &
server=$!
i=0
until port=$(sed -n 's#.*http://127\.0\.0\.1:\([0-9]*\)/.*#\1#p' "$work/serve.log" | head -n 1) && [ -n "$port" ]; do
    i=$((i + 1)); [ $i -lt 300 ] || { echo "demo-guests: the feed server did not start" >&2; exit 1; }; sleep 0.1
done
printf 'repository = http://127.0.0.1:%s/\ntrusted-key = %s\nstate-dir = %s/state\n' "$port" "$trusted" "$work" \
    > "$work/patchvisor.conf"
echo "serving it on http://127.0.0.1:$port/; the host's config:"
cat "$work/patchvisor.conf"

step "Three guests under libvirtd on two kernels (TCG; each runs qemu-guest-agent)"
for g in $guests; do
    name=${g%%:*}; release=${g#*:}
    cat > "$work/$name.xml" <<EOF
<domain type='qemu'><name>$name</name><memory unit='MiB'>512</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type><kernel>/boot/vmlinuz-$release</kernel>
<initrd>$top/integration/target/initramfs/$release.cpio.gz</initrd><cmdline>console=ttyS0 panic=-1 loglevel=4</cmdline></os>
<cpu mode='maximum'/><on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot><on_crash>destroy</on_crash>
<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>
<filesystem type='mount' accessmode='squash' multidevs='remap'><source dir='/'/><target dir='hostroot'/><readonly/></filesystem>
<serial type='file'><source path='$work/$name.serial.log'/><target port='0'/></serial>
<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel><memballoon model='none'/></devices>
<seclabel type='static' model='dac' relabel='no'><label>+0:+0</label></seclabel></domain>
EOF
    virsh -q -c qemu:///system create "$work/$name.xml" >/dev/null
done
for g in $guests; do
    i=0
    until virsh -q -c qemu:///system qemu-agent-command "${g%%:*}" --timeout 5 '{"execute":"guest-ping"}' \
            >/dev/null 2>&1; do
        i=$((i + 1)); [ $i -lt 180 ] || { echo "demo-guests: ${g%%:*}'s agent did not answer" >&2; exit 1; }; sleep 1
    done
done
pv guests

step "What a run would do (--dry-run): guests grouped by kernel, one download per kernel"
pv upgrade --guests --config "$work/patchvisor.conf" --dry-run

step "One run patches every guest: canary first, then the rest in parallel"
pv upgrade --guests --config "$work/patchvisor.conf" --canary 1 --max-parallel 4
echo "downloads the feed server saw:"
grep -c 'GET /blobs/' "$work/serve.log" || true

step "Every guest, checked from inside through its agent"
pv guests
for g in $guests; do
    name=${g%%:*}
    reply=$(virsh -q -c qemu:///system qemu-agent-command "$name" --timeout 10 \
        '{"execute":"guest-exec","arguments":{"path":"/bin/cat","arg":["/proc/cmdline"],"capture-output":true}}')
    pid=$(echo "$reply" | sed 's/.*"pid":\([0-9]*\).*/\1/')
    # The agent reaps the command on its own time: ask until it says it exited.
    status=
    for i in $(seq 1 60); do
        status=$(virsh -q -c qemu:///system qemu-agent-command "$name" --timeout 10 \
            "{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":$pid}}")
        case $status in *'"exited":true'*) break ;; esac
        sleep 0.5
    done
    out=$(echo "$status" | sed -n 's/.*"out-data":"\([^"]*\)".*/\1/p')
    printf '%s: /proc/cmdline = %s\n' "$name" "$(echo "$out" | base64 -d)"
done

step "Running it again changes nothing: every guest is already patched"
pv upgrade --guests --config "$work/patchvisor.conf"

step "The guests are destroyed now (trap); the host kernel was never touched"

#!/bin/sh
# patchvisor-hook v1 -- installed by `patchvisor hook install`; `patchvisor hook uninstall` removes it.
# libvirt runs this synchronously as: <guest> <operation> <sub-operation> <extra>, domain XML on stdin.
# It only records a guest start into the spool for `patchvisor worker` and exits 0 at once. It must never
# call libvirt: the daemon is waiting for it (deadlock).
spool='@SPOOL@'
case "$2" in
    started|reconnect|attach) ;;
    *) cat >/dev/null 2>&1; exit 0 ;;
esac
uuid=
while IFS= read -r line; do
    if [ -z "$uuid" ]; then
        case "$line" in
            *'<uuid>'*) uuid=${line#*<uuid>}; uuid=${uuid%%</uuid>*} ;;
        esac
    fi
done
now=$(date -u +%Y-%m-%dT%H:%M:%SZ 2>/dev/null)
stamp=$(date +%s%N 2>/dev/null)
mkdir -p "$spool" 2>/dev/null
tmp="$spool/.$stamp.$$.tmp"
if printf 'guest=%s\noperation=%s\ntime=%s\nuuid=%s\n' "$1" "$2" "$now" "$uuid" >"$tmp" 2>/dev/null; then
    mv -f "$tmp" "$spool/$stamp.$$.event" 2>/dev/null || rm -f "$tmp" 2>/dev/null
else
    rm -f "$tmp" 2>/dev/null
fi
exit 0

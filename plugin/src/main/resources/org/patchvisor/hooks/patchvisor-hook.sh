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
# The name goes in as hex (guest-hex=): libvirt allows almost any character in a domain name, and a newline
# in it written as is would add lines, that is fields such as operation=, to the event.
name=$(printf '%s' "$1" | LC_ALL=C od -An -v -tx1 2>/dev/null | LC_ALL=C tr -dc '0-9a-f')
now=$(date -u +%Y-%m-%dT%H:%M:%SZ 2>/dev/null)
stamp=$(date +%s%N 2>/dev/null)
mkdir -p "$spool" 2>/dev/null
tmp="$spool/.$stamp.$$.tmp"
if printf 'guest-hex=%s\noperation=%s\ntime=%s\nuuid=%s\n' "$name" "$2" "$now" "$uuid" >"$tmp" 2>/dev/null; then
    mv -f "$tmp" "$spool/$stamp.$$.event" 2>/dev/null || rm -f "$tmp" 2>/dev/null
else
    rm -f "$tmp" 2>/dev/null
fi
exit 0

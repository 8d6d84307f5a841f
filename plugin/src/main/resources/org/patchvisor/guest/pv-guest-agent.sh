#!/bin/sh
# patchvisor's per-guest agent. The host copies it into the guest with a live-patch module and runs it through
# the guest agent; from then on the guest finishes (or reverses) the operation on its own, even if the host
# tool dies mid-way. POSIX sh only: it must run on busybox ash as well as dash and bash.
# It holds only the mechanics that must run inside the guest (load, wait, reverse, unload, report): whether the
# module may go in at all (its release, signatures under sig_enforce or lockdown, live-patch support) is decided
# on the host, by the same preflight rules as the host's own kernel, before the module is sent.
#
# Usage: pv-guest-agent.sh MODULE.ko PATCH TIMEOUT_SECONDS
#        pv-guest-agent.sh --remove PATCH TIMEOUT_SECONDS
# Prints exactly one JSON line: {"result":"...","reason":"...","ms":N}
#   apply:  applied | already | reverted | failed
#   remove: removed | absent | failed
set -u
LP=/sys/kernel/livepatch
REVERT_SECONDS=30

# Centiseconds since boot, from /proc/uptime (no date +%N on every busybox), without leading zeros.
now_cs() {
    read -r up _rest </proc/uptime
    cs=$(echo "$up" | tr -d .)
    while :; do
        case $cs in 0?*) cs=${cs#0} ;; *) break ;; esac
    done
    echo "$cs"
}
START=$(now_cs)

json_escape() {
    printf '%s' "$1" | tr '\n\r\t' '   ' | tr -d '\000-\010\013\014\016-\037' | sed 's/\\/\\\\/g; s/"/\\"/g'
}

# finish RESULT REASON: the one line of output, then exit (0 for success, 1 otherwise).
finish() {
    [ -n "${MOD:-}" ] && rm -f "$MOD"
    printf '{"result":"%s","reason":"%s","ms":%d}\n' "$1" "$(json_escape "$2")" $(( ($(now_cs) - START) * 10 ))
    case $1 in applied|already|removed|absent) exit 0 ;; *) exit 1 ;; esac
}

read_attr() {
    cat "$LP/$1/$2" 2>/dev/null || echo ""
}

# wait_transition PATCH SECONDS: 0 once no transition of PATCH is running (or the patch is gone), 1 on timeout.
wait_transition() {
    deadline=$(( $(now_cs) + $2 * 100 ))
    while [ -d "$LP/$1" ] && [ "$(read_attr "$1" transition)" = 1 ]; do
        [ "$(now_cs)" -ge "$deadline" ] && return 1
        sleep 0.05
    done
    return 0
}

# wait_idle SECONDS: 0 once no live patch at all is in transition (a load would fail with EBUSY).
wait_idle() {
    deadline=$(( $(now_cs) + $1 * 100 ))
    while :; do
        busy=""
        for t in "$LP"/*/transition; do
            [ -f "$t" ] && [ "$(cat "$t" 2>/dev/null)" = 1 ] && busy=$t
        done
        [ -z "$busy" ] && return 0
        [ "$(now_cs)" -ge "$deadline" ] && return 1
        sleep 0.05
    done
}

# wait_gone PATCH SECONDS: the sysfs directory of a removed patch is freed asynchronously.
wait_gone() {
    deadline=$(( $(now_cs) + $2 * 100 ))
    while [ -d "$LP/$1" ]; do
        [ "$(now_cs)" -ge "$deadline" ] && return 1
        sleep 0.05
    done
    return 0
}

valid_name() {
    case $1 in ''|*[!A-Za-z0-9_-]*) return 1 ;; *) return 0 ;; esac
}

valid_seconds() {
    case $1 in ''|*[!0-9]*) return 1 ;; *) [ "$1" -gt 0 ] ;; esac
}

remove() {
    NAME=$1
    TIMEOUT=$2
    [ -d "$LP/$NAME" ] || finish absent "$NAME is not loaded"
    if [ "$(read_attr "$NAME" enabled)" = 1 ]; then
        wait_transition "$NAME" "$TIMEOUT" || finish failed "$NAME is still in transition after ${TIMEOUT}s"
        echo 0 >"$LP/$NAME/enabled" 2>/dev/null || finish failed "cannot write 0 to $LP/$NAME/enabled"
    fi
    wait_transition "$NAME" "$TIMEOUT" || finish failed "reverse transition of $NAME did not finish within ${TIMEOUT}s"
    out=$(rmmod "$NAME" 2>&1) || finish failed "rmmod $NAME: $out"
    wait_gone "$NAME" 10 || finish failed "$NAME is still registered after rmmod"
    finish removed "$NAME disabled and unloaded"
}

apply() {
    MOD=$1
    NAME=$2
    TIMEOUT=$3
    [ -f "$MOD" ] || finish failed "module file $MOD is missing"
    if [ -d "$LP/$NAME" ]; then
        if [ "$(read_attr "$NAME" enabled)" = 1 ]; then
            wait_transition "$NAME" "$TIMEOUT" || finish failed "$NAME is loaded but still in transition"
            finish already "$NAME is already applied"
        fi
        finish failed "$NAME is loaded but disabled; remove it first"
    fi
    wait_idle "$TIMEOUT" || finish failed "another live patch is still in transition"
    out=$(insmod "$MOD" 2>&1) || finish failed "insmod: $out"
    if wait_transition "$NAME" "$TIMEOUT"; then
        [ "$(read_attr "$NAME" enabled)" = 1 ] || finish failed "$NAME loaded but is not enabled"
        finish applied "$NAME applied"
    fi
    # The transition did not finish: reverse it and unload, so the guest is back where it was.
    echo 0 >"$LP/$NAME/enabled" 2>/dev/null
    wait_transition "$NAME" "$REVERT_SECONDS" \
        || finish failed "transition timed out after ${TIMEOUT}s and the reverse transition did not finish"
    out=$(rmmod "$NAME" 2>&1) || finish failed "transition timed out after ${TIMEOUT}s; reversed, but rmmod failed: $out"
    wait_gone "$NAME" 10 || finish failed "transition timed out; $NAME is still registered after rmmod"
    finish reverted "transition did not finish within ${TIMEOUT}s; reversed and unloaded"
}

if [ "${1:-}" = --remove ]; then
    [ $# -eq 3 ] || finish failed "usage: $0 --remove PATCH TIMEOUT_SECONDS"
    valid_name "$2" || finish failed "bad patch name"
    valid_seconds "$3" || finish failed "bad timeout"
    remove "$2" "$3"
fi
[ $# -eq 3 ] || finish failed "usage: $0 MODULE.ko PATCH TIMEOUT_SECONDS"
valid_name "$2" || finish failed "bad patch name"
valid_seconds "$3" || finish failed "bad timeout"
apply "$@"

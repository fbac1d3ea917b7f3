# shellcheck shell=bash
# Process groups for the scripts that start long-lived tools (sourced, not run).
#
# A tool such as `wrangler dev` starts children of its own (workerd, esbuild) that outlive it when
# only its first process is killed. Each tool started here gets a process group of its own (its
# pid is the group id) and is ended as a whole: SIGTERM to the group, then SIGKILL to whatever is
# left after a grace period. `pg_stop_all` is meant for an EXIT/INT/TERM trap.
#
#   pg_start [--grace S] NAME COMMAND...
#                                 runs COMMAND in the background in a new group; sets PG_LAST.
#                                 --grace: S seconds between TERM and KILL for this group instead
#                                 of pg_stop_all's (a command that itself stops groups of its own
#                                 needs longer than they do)
#   pg_stop PGID [GRACE_S]        TERM the group, wait for its leader and members, KILL the rest
#   pg_stop_all [GRACE_S]         pg_stop every group started here, the newest first
#   pg_reap_env NAME=VALUE [GRACE_S]
#                                 TERM, then KILL, every process whose environment holds exactly
#                                 NAME=VALUE (inherited by all descendants, whatever their group)

PG_GROUPS=()
PG_NAMES=()
PG_GRACES=()
PG_LAST=

pg_log() { echo "${PG_LOG_PREFIX:-process-group}: $*" >&2 || true; }

pg_start() {
    local grace=
    if [[ "$1" == --grace ]]; then
        grace="$2"
        shift 2
    fi
    local name="$1"
    shift
    # Job control gives a background job a process group of its own, and leaves SIGINT/SIGQUIT
    # at their defaults (a non-interactive shell would have them ignored).
    set -m
    "$@" </dev/null &
    PG_LAST=$!
    set +m
    PG_GROUPS+=("$PG_LAST")
    PG_NAMES+=("$name")
    PG_GRACES+=("$grace")
}

# Whether any process of group $1 is still running (zombies aside).
pg_alive() {
    ps -A -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}

# Microseconds since the epoch (whatever the locale's decimal separator).
pg_now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }

pg_stop() {
    local pgid="$1" grace="${2:-5}" name="${3:-group $1}" deadline
    kill -TERM -- "-$pgid" 2>/dev/null || return 0
    deadline=$(($(pg_now_us) + grace * 1000000))
    while pg_alive "$pgid"; do
        if (($(pg_now_us) >= deadline)); then
            pg_log "$name did not stop within ${grace} s of SIGTERM: SIGKILL"
            kill -KILL -- "-$pgid" 2>/dev/null || true
            break
        fi
        sleep 0.1
    done
    # The leader, if it was our child, is a zombie or gone by now: collect it without blocking.
    wait "$pgid" 2>/dev/null || true
}

pg_stop_all() {
    local grace="${1:-5}" i
    for ((i = ${#PG_GROUPS[@]} - 1; i >= 0; i--)); do
        pg_stop "${PG_GROUPS[i]}" "${PG_GRACES[i]:-$grace}" "${PG_NAMES[i]}"
    done
    PG_GROUPS=()
    PG_NAMES=()
    PG_GRACES=()
}

pg_reap_env() {
    local entry="$1" grace="${2:-5}" pids=() env pid deadline
    for env in /proc/[0-9]*/environ; do
        pid="${env#/proc/}"
        pid="${pid%/environ}"
        [[ "$pid" == "$$" || "$pid" == "$BASHPID" ]] && continue
        grep -qzxF -- "$entry" "$env" 2>/dev/null && pids+=("$pid")
    done
    ((${#pids[@]})) || return 0
    pg_log "ending ${#pids[@]} leftover process(es) of this run: ${pids[*]}"
    kill -TERM "${pids[@]}" 2>/dev/null || true
    deadline=$(($(pg_now_us) + grace * 1000000))
    while (($(pg_now_us) < deadline)); do
        # The ones still running (zombies aside).
        mapfile -t pids < <(ps -o pid=,stat= -p "$(IFS=,; echo "${pids[*]}")" | awk '$2 !~ /^Z/ { print $1 }')
        ((${#pids[@]})) || return 0
        sleep 0.1
    done
    pg_log "still alive after ${grace} s of SIGTERM: SIGKILL ${pids[*]}"
    kill -KILL "${pids[@]}" 2>/dev/null || true
}

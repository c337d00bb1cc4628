#!/bin/sh
# tests/stale_counters.sh — removes the MongoDB driver's counter files
# (/dev/shm/mongoc-<pid>) of processes that no longer run.
#
# Debian's libmongoc initializes itself when the program loads, before
# main, and makes /dev/shm/mongoc-<pid>; a process killed with SIGKILL
# (the crash tests do it on purpose) leaves its file behind, and a later
# process given the same pid (pid_max is 32768 here) finds it and prints
# "Falling back to malloc for counters" into stderr, which the tests
# compare. The program cannot stop that (the driver's initialization runs
# before its own code), so the tests clear what killed processes left.
#
#   tests/stale_counters.sh [PID...]   those pids' files, or every stale one
set -u
if [ $# -gt 0 ]; then
    for pid in "$@"; do rm -f "/dev/shm/mongoc-$pid"; done
    exit 0
fi
for f in /dev/shm/mongoc-*; do
    [ -e "$f" ] || continue
    pid=${f##*/mongoc-}
    case $pid in *[!0-9]*|'') continue ;; esac
    kill -0 "$pid" 2>/dev/null || rm -f "$f"
done
exit 0

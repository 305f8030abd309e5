#!/bin/sh
# The library must export the functions declared in dnsfw.h and nothing else.
set -eu
lib=$1
header=$2
exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort)
declared=$(grep -oE 'dnsfw_[a-z0-9_]+\(' "$header" | tr -d '(' | sort -u)
if [ "$exported" != "$declared" ]; then
    echo "exported and declared symbols differ:"
    printf '%s\n' "$exported" > /tmp/dnsfw-exported.$$
    printf '%s\n' "$declared" | diff -u /tmp/dnsfw-exported.$$ - || true
    rm -f /tmp/dnsfw-exported.$$
    exit 1
fi
bad=$(nm -D --defined-only "$lib" | awk '$2 ~ /[TDBR]/ { sub(/@.*/, "", $3); print $3 }' | grep -v '^dnsfw_' | grep -v '^DNSFW_' || true)
if [ -n "$bad" ]; then
    echo "symbols without the dnsfw_ prefix: $bad"
    exit 1
fi
echo "$(printf '%s\n' "$exported" | wc -l) symbols, all declared in dnsfw.h"

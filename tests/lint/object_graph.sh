#!/usr/bin/env bash
# Which object file calls which: one "caller callee" line for every
# symbol an object uses that another object of the set defines.
#   tests/lint/object_graph.sh OBJ...
set -eu
declare -A owner
for o in "$@"; do
	for s in $(nm --defined-only "$o" | awk '$2 ~ /^[TDBRCV]$/ { print $3 }'); do
		owner[$s]=$o
	done
done
for o in "$@"; do
	for s in $(nm -u "$o" | awk '{ print $2 }'); do
		callee=${owner[$s]:-}
		[ -n "$callee" ] && [ "$callee" != "$o" ] && echo "$o $callee"
	done
done | sort -u

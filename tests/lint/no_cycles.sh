#!/usr/bin/env bash
# Fails, naming the files, when the objects given call each other in a
# circle (a calls b calls ... calls a).
#   tests/lint/no_cycles.sh OBJ...
set -eu
here=$(dirname "$0")
edges=$("$here/object_graph.sh" "$@")
[ -z "$edges" ] && exit 0
if ! out=$(echo "$edges" | tsort 2>&1 >/dev/null) || [ -n "$out" ]; then
	echo "import cycle among these objects:" >&2
	echo "$out" | sed -n 's/^tsort: //p' | grep -v 'input contains a loop' | sed 's/^/  /' >&2
	exit 1
fi

#!/usr/bin/env bash
# Every architecture check on a build: layers and cycles, exported
# symbols, source sizes and headers, documentation references.
#   tests/lint/all.sh BUILD
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: all.sh BUILD}
status=0
check() {
	local what=$1; shift
	if "$@"; then echo "lint: ok    $what"; else echo "lint: FAIL  $what"; status=1; fi
}
exports() {
	local extra
	extra=$(nm -D --defined-only "$build/lib/libbgcopy.so.1" | awk '{ print $3 }' | grep -v '^bgcopy_')
	[ -z "$extra" ] || { echo "libbgcopy.so.1 exports internals:" $extra >&2; return 1; }
}
top=$(cd "$here/../.." && pwd)
# The objects of the sources that exist now (a build may hold stale ones).
objects() {
	(cd "$top" && git ls-files -co --exclude-standard "$@") |
		sed -n "s|\.c\$|.o|p" | sed "s|^|$build/obj/|"
}
check "tracer/ layers (tracer/internal.h)" \
	"$here/layers.sh" "$top/tracer/internal.h" $(objects 'tracer/*.c' ':!tracer/cli' ':!tracer/record' ':!tracer/daemon')
check "analysis/ has no call cycle" "$here/no_cycles.sh" $(objects 'analysis/*.c')
if [ -f "$top/tracer/daemon/daemon.h" ]; then
	check "tracer/daemon/ layers (tracer/daemon/daemon.h)" \
		"$here/layers.sh" "$top/tracer/daemon/daemon.h" $(objects 'tracer/daemon/*.c')
fi
check "libbgcopy exports bgcopy_* only" exports
check "sources: a purpose line each, none over 800 lines" "$here/sources.sh"
check "docs: references resolve" "$here/doc_refs.sh"
exit $status

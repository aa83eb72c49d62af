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
check "tracer/ layers ($here/../../tracer/internal.h)" \
	"$here/layers.sh" "$here/../../tracer/internal.h" "$build/obj/tracer"
check "analysis/ has no call cycle" \
	"$here/no_cycles.sh" $(find "$build/obj/analysis" -name '*.o' | sort)
check "libbgcopy exports bgcopy_* only" exports
check "sources: a purpose line each, none over 800 lines" "$here/sources.sh"
check "docs: references resolve" "$here/doc_refs.sh"
exit $status

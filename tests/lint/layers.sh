#!/usr/bin/env bash
# Checks the layer order written at the top of a header against the calls
# the object files make: every file sits in a layer, no file calls a file
# of a higher layer, and no files call each other in a circle.
#   tests/lint/layers.sh HEADER OBJ...
set -eu
header=${1:?usage: layers.sh HEADER OBJ...}
shift
here=$(dirname "$0")
declare -A layer

# " *   3 state machine  job.c" and its continuation lines " *    x.c y.c"
current=
while IFS= read -r line; do
	case $line in
	*Layers.*) current=-1; continue ;;
	' *') [ "${current:-}" != "" ] && [ "$current" -ge 0 ] && break; continue ;;
	esac
	[ -z "$current" ] && continue
	if [[ $line =~ ^\ \*\ +([0-9]+)\  ]]; then
		current=${BASH_REMATCH[1]}
	fi
	[ "$current" -ge 0 ] || continue
	for word in $line; do
		case $word in *.c) layer[${word%.c}]=$current ;; esac
	done
done < "$header"
[ ${#layer[@]} -gt 0 ] || { echo "no layer table in $header" >&2; exit 1; }

objs=("$@")
status=0
for o in "${objs[@]}"; do
	name=$(basename "$o" .o)
	[ -n "${layer[$name]:-}" ] || { echo "$name.c is in no layer of $header" >&2; status=1; }
done
while read -r caller callee; do
	a=$(basename "$caller" .o) b=$(basename "$callee" .o)
	[ -n "${layer[$a]:-}" ] && [ -n "${layer[$b]:-}" ] || continue
	if [ "${layer[$b]}" -gt "${layer[$a]}" ]; then
		echo "$a.c (layer ${layer[$a]}) calls up into $b.c (layer ${layer[$b]}):" \
			"$(comm -12 <(nm -u "$caller" | awk '{print $2}' | sort) \
				<(nm --defined-only "$callee" | awk '{print $3}' | sort) | tr '\n' ' ')" >&2
		status=1
	fi
done < <("$here/object_graph.sh" "${objs[@]}")
"$here/no_cycles.sh" "${objs[@]}" || status=1
exit $status

#!/usr/bin/env bash
# Every C source and header opens with a comment saying what it holds and
# stays under the size a reader can hold in mind.
#   tests/lint/sources.sh [MAX_LINES]
set -eu
cd "$(dirname "$0")/../.."
max=${1:-800}
status=0
while IFS= read -r f; do
	lines=$(wc -l < "$f")
	if [ "$lines" -gt "$max" ]; then
		echo "$f: $lines lines, over $max: split it by concern" >&2
		status=1
	fi
	# The first line opens a comment and, for a one-line "/* ... */" or
	# a "/*" block, the purpose follows at once.
	first=$(head -n 1 "$f")
	second=$(sed -n 2p "$f")
	case $first in
	'/* '?*) ;;
	'/*') case $second in ' * '?*) ;; *) echo "$f: the opening comment has no purpose line" >&2; status=1 ;; esac ;;
	*) echo "$f: does not open with a comment saying what it holds" >&2; status=1 ;;
	esac
done < <(git ls-files -co --exclude-standard 'tracer/*.[ch]' 'tp/*.[ch]' 'analysis/*.[ch]' 'tests/*.[ch]')
exit $status

#!/usr/bin/env bash
# The docs' references still resolve: every `file.c` or `path/` they quote
# exists in the repository, every `snake_case` name they quote is still
# spelled somewhere in the sources or tests, and no commit hash stands in
# for a file or a schema version.
#   tests/lint/doc_refs.sh
set -u
cd "$(dirname "$0")/../.."
docs=$(git ls-files -co --exclude-standard '*.md')
files=$(git ls-files -co --exclude-standard)
status=0
complain() { echo "$1: \`$2\` $3" >&2; status=1; }

for doc in $docs; do
	while IFS= read -r token; do
		ref=${token%%:[0-9]*}
		if [[ $token =~ ^[0-9a-f]{7,40}$ && $token =~ [0-9] && $token =~ [a-f] ]]; then
			complain "$doc" "$token" "is a commit hash: cite a file or a schema version"
		elif [[ $ref =~ ^[A-Za-z0-9_./-]+\.(c|h|sh|md|in)$ || $ref =~ ^[a-z0-9_-]+(/[a-z0-9_.-]+)*/$ ]]; then
			case $ref in
			*/*) [ -e "$ref" ] || complain "$doc" "$token" "names no file of the repository" ;;
			*) grep -q -e "^$ref\$" -e "/$ref\$" <<<"$files" ||
				complain "$doc" "$token" "names no file of the repository" ;;
			esac
			[ "$ref" = "$token" ] || complain "$doc" "$token" "cites line numbers, which move: cite the function"
		elif [[ $token =~ ^[a-z][a-z0-9]*(_[a-z0-9]+)+(\(\))?$ ]]; then
			name=${token%()}
			git grep --untracked -qw -e "$name" -- tracer tp analysis tests .ci Makefile 2>/dev/null ||
				complain "$doc" "$token" "is spelled nowhere in the sources or tests"
		fi
	done < <(grep -o '`[^`]*`' "$doc" | tr -d '`' | sort -u)
	# Markdown links to files, relative to the document.
	while IFS= read -r link; do
		[ -e "$(dirname "$doc")/${link%%#*}" ] ||
			complain "$doc" "$link" "is a link to no file of the repository"
	done < <(grep -o '](\([^)#:]*\)[)#]' "$doc" | sed 's/^](//; s/[)#]$//' | sort -u)
	if grep -n 'shared/CONTRACT\|/work/' "$doc" >&2; then
		echo "$doc: cites a path outside the repository (above)" >&2
		status=1
	fi
done
exit $status

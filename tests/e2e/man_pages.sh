# The manual pages: groff reads them without a warning, they name every
# option the programs' --help lists, and make install puts them under
# PREFIX/share/man (make uninstall takes them back).
. "$(dirname "$0")/lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
man=$top/docs/man
command -v groff >/dev/null || { echo "groff not installed (make deps)"; exit 77; }
for page in bgcopy.1 bgcopy-record.1 bgcopy-analyze.1 libbgcopy.3 bgcopyd.8; do
	[ -f "$man/$page" ] || die "no $page"
	warnings=$(groff -ww -z -man "$man/$page" 2>&1) || die "groff failed on $page"
	[ -z "$warnings" ] || die "groff warns on $page: $warnings"
done

# Every long option a --help lists is in its page.
options_of() { "$@" 2>&1 | grep -o -- '--[a-z][a-z-]*' | sort -u; }
check_options() {
	local page=$1; shift
	local text
	text=$(sed 's/\\-/-/g' "$man/$page")
	for opt in $(options_of "$@"); do
		grep -qF -- "$opt" <<<"$text" || die "$page lacks $opt (from $*)"
	done
}
check_options bgcopy.1 "$BGCOPY" --help
check_options bgcopy.1 "$BGCOPY" download --help
check_options bgcopy-record.1 "$BGCOPY" record --help
check_options bgcopy-analyze.1 "$ANALYZE" --help
check_options bgcopyd.8 "$B/bin/bgcopyd" --help
for verb in $("$BGCOPY" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p'); do
	sed 's/\\-/-/g' "$man/bgcopy.1" | grep -q "^\.B[I]* \"*$verb\b" ||
		die "bgcopy.1 does not describe the verb $verb"
done
echo "ok: groff reads the pages without a warning; they name every option and verb"

case $B in
*/asan|*/tsan) echo "install is checked on the plain build"; exit 0 ;;
esac
make -s -C "$top" install DESTDIR="$WORK/root" PREFIX=/usr >/dev/null || die "make install failed"
for page in man1/bgcopy.1 man1/bgcopy-record.1 man1/bgcopy-analyze.1 man3/libbgcopy.3 \
	man8/bgcopyd.8; do
	cmp "$WORK/root/usr/share/man/$page" "$man/${page#*/}" || die "$page not installed"
done
make -s -C "$top" uninstall DESTDIR="$WORK/root" PREFIX=/usr >/dev/null || die "make uninstall failed"
left=$(find "$WORK/root" ! -type d)
[ -z "$left" ] || die "make uninstall left: $left"
echo "ok: make install puts the pages under PREFIX/share/man, make uninstall removes them"

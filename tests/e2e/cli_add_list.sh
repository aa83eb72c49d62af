# bgcopy add JOB --list and create --list: every line of a list added in
# one call, all or none; errors name the line; a list past a job's 200
# files spread over jobs by create --list.  Embedded, then through bgcopyd.
. "$(dirname "$0")/lib.sh"
unset BGCOPY_EMBEDDED
export BGCOPYD_IDLE_EXIT=60 XDG_RUNTIME_DIR=
daemon_pid() { [ -S "$WORK/store-daemon/bgcopyd.bus" ] && head -n 1 "$WORK/store-daemon/lock"; }
stop_daemon() {
	local pid
	pid=$(daemon_pid) || return 0
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait_gone "$pid"
}
trap 'stop_daemon; cleanup' EXIT

start_server
mkdir -p "$WORK/out"
URL=http://127.0.0.1:$PORT
for i in 1 2 3; do make_file "f$i.bin" 20000; done

# list NAME FIRST LAST [URL_PATH]: lines "URL PATH" for files FIRST..LAST.
list() {
	local i
	for ((i = $2; i <= $3; i++)); do
		echo "$URL/${4:-f1.bin} $WORK/out/$1.$i"
	done
}
files_total() { "$BGCOPY" --store "$STORE" info "$1" --json | sed -n 's/.*"files_total": \([0-9]*\).*/\1/p'; }

run_checks() {
	local mode=$1 job ids
	STORE=$WORK/store-$mode
	bg() { "$BGCOPY" --store "$STORE" --test-short-retry "$@"; }

	# The happy path: comments, blank lines, a path with a space, stdin.
	job=$(bg create listed) || die "$mode: create"
	{ echo "# three files"; echo; echo "  $URL/f1.bin   $WORK/out/$mode one.bin  "
	  echo "$URL/f2.bin $WORK/out/$mode.two.bin"; } > "$WORK/good.list"
	bg add "$job" --list "$WORK/good.list" || die "$mode: add --list"
	echo "$URL/f3.bin $WORK/out/$mode.three.bin" | bg add "$job" --list - ||
		die "$mode: add --list -"
	[ "$(files_total "$job")" = 3 ] || die "$mode: $(files_total "$job") files, not 3"
	bg resume "$job" && bg wait "$job" >/dev/null && bg complete "$job" >/dev/null ||
		die "$mode: the listed job did not finish"
	cmp "$WORK/www/f1.bin" "$WORK/out/$mode one.bin" &&
		cmp "$WORK/www/f2.bin" "$WORK/out/$mode.two.bin" &&
		cmp "$WORK/www/f3.bin" "$WORK/out/$mode.three.bin" || die "$mode: listed files differ"

	# Each error names what was wrong, and adds nothing.
	job=$(bg create errors) || die "$mode: create"
	{ list bad 1 2; echo "$URL/f1.bin"; list bad 3 4; } > "$WORK/one-word.list"
	expect_exit 2 bg add "$job" --list "$WORK/one-word.list"
	grep -q "one-word.list line 3: 'URL PATH' expected" "$WORK/last.err" ||
		die "$mode: a one-word line: $(cat "$WORK/last.err")"
	{ list bad 1 2; echo "gopher://x/y $WORK/out/bad.gopher"; } > "$WORK/scheme.list"
	expect_exit 2 bg add "$job" --list "$WORK/scheme.list"
	grep -q "scheme.list line 3: URL scheme 'gopher' is not allowed.*nothing was added" \
		"$WORK/last.err" || die "$mode: a refused URL: $(cat "$WORK/last.err")"
	{ list dup 1 2; list dup 1 1; } > "$WORK/dup.list"
	expect_exit 2 bg add "$job" --list "$WORK/dup.list"
	grep -q "dup.list line 3: .* is already the destination" "$WORK/last.err" ||
		die "$mode: a destination twice: $(cat "$WORK/last.err")"
	expect_exit 2 bg add "$job" --list "$WORK/no-such.list"
	grep -q "cannot read list '.*no-such.list': No such file" "$WORK/last.err" ||
		die "$mode: a missing list: $(cat "$WORK/last.err")"
	expect_exit 2 bg add "$job" --list "$WORK/out"
	grep -q "cannot read list '.*out': Is a directory" "$WORK/last.err" ||
		die "$mode: an unreadable list: $(cat "$WORK/last.err")"
	list cap 1 201 > "$WORK/cap.list"
	expect_exit 2 bg add "$job" --list "$WORK/cap.list"
	grep -q "201 more do not fit; nothing was added" "$WORK/last.err" &&
		grep -q "create --list" "$WORK/last.err" || die "$mode: over the cap: $(cat "$WORK/last.err")"
	[ "$(files_total "$job")" = 0 ] || die "$mode: a refused list added files"
	bg cancel "$job" || die "$mode: cancel"

	# Past the cap, create --list makes as many jobs as it needs, and says so.
	list split 1 450 > "$WORK/split.list"
	ids=$(bg create split --list "$WORK/split.list" 2> "$WORK/split.err") || die "$mode: create --list"
	[ "$(echo "$ids" | wc -l)" = 3 ] || die "$mode: create --list printed '$ids'"
	grep -q "450 files in 3 jobs" "$WORK/split.err" || die "$mode: the split is not said"
	[ "$(for j in $ids; do files_total "$j"; done | tr '\n' ' ')" = "200 200 50 " ] ||
		die "$mode: the jobs do not hold 200, 200 and 50 files"
	for j in $ids; do bg cancel "$j" || die "$mode: cancel $j"; done
	# A bad line anywhere creates no job at all.
	{ list none 1 300; echo "gopher://x/y $WORK/out/none.gopher"; } > "$WORK/none.list"
	expect_exit 2 bg create none --list "$WORK/none.list"
	grep -q "none.list line 301:" "$WORK/last.err" || die "$mode: $(cat "$WORK/last.err")"
	bg list | grep -q none && die "$mode: a refused create --list left a job"
	return 0
}

BGCOPY_EMBEDDED=1 run_checks embedded
[ -e "$WORK/store-embedded/bgcopyd.bus" ] && die "the embedded run started bgcopyd"
BGCOPY_EMBEDDED=0 run_checks daemon
pid=$(daemon_pid) || die "no bgcopyd for the daemon run"
[ "$(cat "/proc/$pid/comm")" = bgcopyd ] || die "the daemon run was not through bgcopyd"
exit 0

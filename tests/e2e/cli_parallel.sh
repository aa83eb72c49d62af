# Parallel files through the CLI (issue 17): `download --parallel`
# fetches several files of a job byte-identical; set-parallel-files is
# checked, stored and shown by info, embedded and through bgcopyd; the
# trace of a parallel job with every notification flag says PASS in
# bgcopy-analyze (FileTransferred in completion order, not index order).
. "$(dirname "$0")/lib.sh"

start_server
start_sessiond
for i in 1 2 3 4; do make_file "f$i.bin" 300000; done
make_file tiny.bin 1000
mkdir -p "$WORK/dl" "$WORK/out"
URL=http://127.0.0.1:$PORT
bg() { traced "$BGCOPY" --store "$WORK/store" --test-short-retry "$@"; }

start_session "$WORK/trace"
bg download --parallel 4 -o "$WORK/dl" "$URL/f1.bin" "$URL/f2.bin" "$URL/f3.bin" "$URL/f4.bin" ||
	die "download --parallel 4"
for i in 1 2 3 4; do cmp "$WORK/www/f$i.bin" "$WORK/dl/f$i.bin" || die "f$i.bin differs"; done
rc=0; bg download --parallel 17 "$URL/tiny.bin" "$WORK/dl/tiny.bin" 2> "$WORK/err" || rc=$?
[ "$rc" != 0 ] || die "--parallel 17 was taken"
grep -q "parallel files 17 is not between 1 and 16" "$WORK/err" || die "--parallel 17: $(cat "$WORK/err")"

# A job whose big first file ends after the others: every flag, so each
# file is owed FileTransferred, in the order they complete.
job=$(bg create parallel) || die "create"
bg add "$job" "$URL/fault/slow:300000/f1.bin" "$WORK/out/f1.bin" || die "add f1"
bg add "$job" "$URL/tiny.bin" "$WORK/out/tiny.bin" || die "add tiny"
bg add "$job" "$URL/f2.bin" "$WORK/out/f2.bin" || die "add f2"
bg set-parallel-files "$job" 3 || die "set-parallel-files"
rc=0; bg set-parallel-files "$job" 0 2> "$WORK/err" || rc=$?
[ "$rc" != 0 ] && grep -q "parallel files 0" "$WORK/err" || die "set-parallel-files 0: exit $rc"
bg info "$job" --json | grep -q '"parallel_files": 3' || die "info --json: no parallel_files 3"
bg info "$job" | grep -q "parallel files 3" || die "info: no parallel files 3"
bg set-flags "$job" 0x1b || die "set-flags"
bg resume "$job"
bg wait "$job" >/dev/null && bg complete "$job" >/dev/null || die "parallel job"
stop_session
for f in f1 tiny f2; do cmp "$WORK/www/$f.bin" "$WORK/out/$f.bin" || die "$f.bin differs"; done

bt "$WORK/trace" > "$WORK/trace.txt" || die "trace unreadable"
grep -q '( "PARALLEL_FILES" : container = 22 ), value = "3"' "$WORK/trace.txt" ||
	die "the trace does not say parallel files were set"
LD_PRELOAD=$BT_PRELOAD "$ANALYZE" "$WORK/trace" > "$WORK/verdict.txt" 2>&1 ||
	{ cat "$WORK/verdict.txt"; die "bgcopy-analyze on a parallel job"; }
cat "$WORK/verdict.txt"
grep -q PASS "$WORK/verdict.txt" || die "no PASS"

# Through bgcopyd: set, read back, run.
DSTORE=$WORK/dstore
trap 'stop_store_daemon "$DSTORE"; cleanup' EXIT
d() { BGCOPY_EMBEDDED=0 BGCOPY_SERVICE=1 BGCOPYD_IDLE_EXIT=60 XDG_RUNTIME_DIR= \
	"$BGCOPY" --store "$DSTORE" "$@"; }
job=$(d create daemon) || die "create through bgcopyd"
for i in 3 4; do d add "$job" "$URL/f$i.bin" "$WORK/out/d$i.bin" || die "add through bgcopyd"; done
d set-parallel-files "$job" 2 || die "set-parallel-files through bgcopyd"
d info "$job" --json | grep -q '"parallel_files": 2' || die "bgcopyd: no parallel_files 2"
d resume "$job" && d wait "$job" >/dev/null && d complete "$job" >/dev/null ||
	die "the job through bgcopyd"
for i in 3 4; do cmp "$WORK/www/f$i.bin" "$WORK/out/d$i.bin" || die "d$i.bin differs"; done
echo "parallel files through the CLI ok"

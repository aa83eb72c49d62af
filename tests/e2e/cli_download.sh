# bgcopy download as a user meets it: a bare file name, -O, several URLs
# into a directory, a list of files over several jobs, a transient error said at once (text and --json),
# --timeout and --retry-delay, Ctrl-C that cancels or keeps, a kept job
# resumed by the same command, and a meter that redraws one line.
. "$(dirname "$0")/lib.sh"

dl() { "$BGCOPY" --store "$WORK/store" "$@"; }
# In the background: exec, so that $! is bgcopy itself and gets the signal.
dl_bg() { exec "$BGCOPY" --store "$WORK/store" "$@"; }
jobs_left() { dl list --json | tr -d ' \n'; }

start_server
make_file a.iso 50000
make_file b.bin 30000
make_file slow.bin 600000
URL=http://127.0.0.1:$PORT
mkdir -p "$WORK/here" "$WORK/dir"
cd "$WORK/here" || die "cd"

# A bare name is a file in the current directory; -O names it after the URL.
dl download "$URL/a.iso" a.iso || die "download URL a.iso"
cmp a.iso "$WORK/www/a.iso" || die "a.iso differs"
dl download -O "$URL/b.bin?token=x" || die "download -O"
cmp b.bin "$WORK/www/b.bin" || die "-O: b.bin differs"
dl download "$URL/a.iso" "$URL/b.bin" -o "$WORK/dir" || die "download URL... -o DIR"
cmp "$WORK/dir/a.iso" "$WORK/www/a.iso" && cmp "$WORK/dir/b.bin" "$WORK/www/b.bin" ||
	die "-o DIR: files differ"
dl download -O "$URL/" 2> "$WORK/err" && die "-O without a file name succeeded"
grep -q "no file name" "$WORK/err" || die "-O without a name: $(cat "$WORK/err")"
dl download "$URL/a.iso" 2> "$WORK/err"; [ $? = 2 ] || die "URL alone is not a usage error"
# From a directory that was removed: a relative destination is refused,
# naming the cause, and nothing is made; an absolute one still goes.
mkdir "$WORK/gone" && cd "$WORK/gone" && rmdir "$WORK/gone" || die "a removed directory"
echo "$URL/a.iso gone-a.iso" | dl download --list - 2> "$WORK/err"
[ $? = 2 ] || die "a relative destination in a removed directory was not refused"
grep -q "cannot read the current directory" "$WORK/err" || die "unsaid: $(cat "$WORK/err")"
dl download "$URL/a.iso" "$WORK/dir/abs.iso" || die "an absolute destination from a removed directory"
cmp "$WORK/dir/abs.iso" "$WORK/www/a.iso" || die "abs.iso differs"
cd "$WORK/here" || die "cd"
[ "$(jobs_left)" = "[]" ] || die "jobs left after the downloads: $(jobs_left)"
echo "ok: bare name, -O, several URLs, a removed current directory"

# --list: 450 files, more than a job holds, go in three jobs run at
# once, each added in one call; every file arrives, no job is left.
mkdir -p "$WORK/www/many" "$WORK/many"
for i in $(seq 450); do echo "file $i" > "$WORK/www/many/f$i"; done
for i in $(seq 450); do echo "$URL/many/f$i many/f$i"; done > "$WORK/many.list"
cd "$WORK" || die "cd"
dl download --list "$WORK/many.list" 2> "$WORK/err" || die "download --list: $(cat "$WORK/err")"
grep -q "450 files in 3 jobs" "$WORK/err" || die "no word of the split: $(cat "$WORK/err")"
for i in $(seq 450); do
	cmp -s "$WORK/many/f$i" "$WORK/www/many/f$i" || die "--list: many/f$i differs"
done
[ "$(jobs_left)" = "[]" ] || die "jobs left after download --list: $(jobs_left)"
# From stdin; one file the server lacks fails the download with exit 1:
# the job that was transferred by then is committed whole (its files
# and the message say so), the other cancelled, its temporary files gone.
rm -rf "$WORK/many"/*
{ sed 200q "$WORK/many.list"; echo "$URL/many/missing many/missing"; } |
	dl download --list - 2> "$WORK/err"
[ $? = 1 ] || die "a missing file in --list did not fail the download"
grep -q "404" "$WORK/err" || die "the failure does not say 404: $(cat "$WORK/err")"
[ "$(jobs_left)" = "[]" ] || die "a failed --list left jobs: $(jobs_left)"
[ -z "$(ls -A "$WORK/many" | grep -v '^f[0-9]*$')" ] ||
	die "a failed --list left temporary files: $(ls -A "$WORK/many")"
present=$(ls -A "$WORK/many" | wc -l)
if [ "$present" = 0 ]; then
	grep -q "committed" "$WORK/err" && die "nothing committed, but: $(cat "$WORK/err")"
else
	[ "$present" = 200 ] || die "a job committed in part: $present files"
	grep -q "(200 of 201 files were committed before it; the other jobs are cancelled)" \
		"$WORK/err" || die "the committed files are not said: $(cat "$WORK/err")"
	for i in $(seq 200); do
		cmp -s "$WORK/many/f$i" "$WORK/www/many/f$i" || die "committed many/f$i differs"
	done
fi
# committed_while_running LIST FIRST LAST WHY: downloads LIST until
# many/fLAST is there, then interrupts it; only that job's files, FIRST
# to LAST, are left, committed whole, and no job is.
committed_while_running() {
	local list=$1 first=$2 last=$3 why=$4 pid rc
	rm -rf "$WORK/many"/*
	dl_bg download --list "$list" 2> "$WORK/err" &
	pid=$!
	for _ in $(seq 200); do [ -e "$WORK/many/f$last" ] && break; sleep 0.05; done
	[ -e "$WORK/many/f$last" ] || die "$why"
	kill -INT "$pid"; wait "$pid"; rc=$?
	[ $rc = 130 ] || die "Ctrl-C after a commit exited $rc, expected 130"
	grep -q "interrupted: 200 files committed before it; the other jobs cancelled" "$WORK/err" ||
		die "the interruption does not say what was committed: $(cat "$WORK/err")"
	for i in $(seq "$first" "$last"); do
		cmp -s "$WORK/many/f$i" "$WORK/www/many/f$i" || die "committed many/f$i differs"
	done
	[ "$(ls -A "$WORK/many" | wc -l)" = 200 ] ||
		die "the interrupted jobs left files: $(ls -A "$WORK/many" | grep -v '^f')"
	[ "$(jobs_left)" = "[]" ] || die "the interrupted --list left jobs: $(jobs_left)"
}
# A job is committed as soon as it is transferred, while the others go
# on: its files are there before the download ends, and stay when it is
# interrupted.
{ sed 200q "$WORK/many.list"; echo "$URL/fault/slow:20000/slow.bin many/slow.bin"; } > "$WORK/slow.list"
committed_while_running "$WORK/slow.list" 1 200 "the first job was not committed while the second ran"
# So is a later job while an earlier one, the one the meter shows, still
# runs: the first job's first file is slow.
{ echo "$URL/fault/slow:20000/slow.bin many/slow.bin"; sed 399q "$WORK/many.list"; } \
	> "$WORK/slow_first.list"
committed_while_running "$WORK/slow_first.list" 200 399 \
	"the second job was not committed while the first ran"
# A job whose complete fails there stops the download: it stays
# TRANSFERRED, for `bgcopy complete` once its destination is fixed, and
# the job waited on is cancelled.  Both jobs' first files are slow; the
# second job's last destination becomes a FIFO once the files are added.
rm -rf "$WORK/many"/*
{ echo "$URL/fault/slow:20000/slow.bin many/slow.bin"; sed 199q "$WORK/many.list"
  echo "$URL/fault/slow:150000/slow.bin many/slow2.bin"; sed -n 201,399p "$WORK/many.list"; } \
	> "$WORK/fifo.list"
dl_bg download --list "$WORK/fifo.list" 2> "$WORK/err" &
pid=$!
for _ in $(seq 200); do
	ls -A "$WORK/many" | grep -q '^\.slow2\.bin\..*bgcopy-tmp$' && break
	sleep 0.05
done
mkfifo "$WORK/many/f399" || die "mkfifo"
wait "$pid"; rc=$?
[ $rc = 2 ] || die "a failed complete exited $rc, expected 2: $(cat "$WORK/err")"
grep -q "many/f399' exists and is not a regular file" "$WORK/err" ||
	die "the failed complete is not said: $(cat "$WORK/err")"
[ "$(dl list | grep -c TRANSFERRED)" = 1 ] && [ "$(dl list | grep -c -v TRANSFERRED)" = 0 ] ||
	die "not the one job whose complete failed kept TRANSFERRED: $(dl list)"
[ -p "$WORK/many/f399" ] && [ "$(ls "$WORK/many" | wc -l)" = 1 ] ||
	die "files were committed, or the FIFO replaced: $(ls -A "$WORK/many" | head)"
rm "$WORK/many/f399"
dl cancel "$(dl list | awk '{ print $1 }')" > /dev/null ||
	die "cannot cancel the kept job"
[ "$(jobs_left)" = "[]" ] || die "the failed --list left jobs: $(jobs_left)"
# With --keep the failed download's jobs stay; once the server has the
# file, the same command resumes both and completes them.
{ sed 200q "$WORK/many.list"; echo "$URL/many/late many/late"; } > "$WORK/late.list"
dl download --keep --list "$WORK/late.list" 2> "$WORK/err"
[ $? = 1 ] || die "a missing file with --keep did not fail the download"
[ "$(dl list | grep -c -e SUSPENDED -e ERROR -e TRANSFERRED)" = 2 ] ||
	die "--keep did not keep both jobs: $(dl list)"
echo late > "$WORK/www/many/late"
# The kept job in ERROR must not be told its old 404: a second between
# this command's steps gives such a JobError all the time it needs.
BGCOPY_TEST_SLOW_RESUME_MS=1000 dl download --keep --list "$WORK/late.list" 2> "$WORK/err" ||
	die "the kept --list did not finish: $(cat "$WORK/err")"
[ "$(grep -c "resuming kept job" "$WORK/err")" = 2 ] || die "not both resumed: $(cat "$WORK/err")"
cmp -s "$WORK/many/late" "$WORK/www/many/late" && cmp -s "$WORK/many/f200" "$WORK/www/many/f200" ||
	die "the kept --list's files differ"
[ "$(jobs_left)" = "[]" ] || die "jobs left after the kept --list: $(jobs_left)"
# A bad line is refused by its number before anything is created;
# --list takes no URL.
printf '%s\n' "$URL/many/f1 many/f1" "just-one-word" > "$WORK/bad.list"
dl download --list "$WORK/bad.list" 2> "$WORK/err"; [ $? = 2 ] || die "a bad list was not a usage error"
grep -q "line 2: 'URL PATH' expected" "$WORK/err" || die "bad line not named: $(cat "$WORK/err")"
dl download --list "$WORK/many.list" "$URL/a.iso" 2> "$WORK/err"; [ $? = 2 ] ||
	die "--list with a URL was not a usage error"
[ "$(jobs_left)" = "[]" ] || die "refused lists left jobs: $(jobs_left)"
cd "$WORK/here" || die "cd"
echo "ok: --list over several jobs, from stdin, a failure, a commit before the end, bad lists"

# Connection refused: the cause and the next try are said within a second.
closed=$(free_port)
dl_bg download "http://127.0.0.1:$closed/x.iso" x.iso 2> "$WORK/refused.err" &
pid=$!
for _ in $(seq 10); do grep -q "next try in" "$WORK/refused.err" && break; sleep 0.1; done
grep -q "x.iso: TRANSIENT_ERROR: .*onnect.*; next try in 60[01] s" "$WORK/refused.err" ||
	die "no cause within a second: $(cat "$WORK/refused.err")"
kill -INT "$pid"; wait "$pid"; rc=$?
[ $rc = 130 ] || die "Ctrl-C exited $rc, expected 130"
grep -q "interrupted: job .* cancelled" "$WORK/refused.err" || die "no word of the cancel"
[ "$(jobs_left)" = "[]" ] || die "Ctrl-C left the job: $(jobs_left)"
dl_bg download --json "http://127.0.0.1:$closed/y.iso" y.iso > "$WORK/refused.json" &
pid=$!
for _ in $(seq 10); do grep -q next_try_s "$WORK/refused.json" && break; sleep 0.1; done
kill -TERM "$pid"; wait "$pid"; rc=$?
[ $rc = 143 ] || die "SIGTERM exited $rc, expected 143"
head -n 1 "$WORK/refused.json" | grep -q '"event":"started","job":"[0-9a-f-]*",.*"kept":false' ||
	die "--json does not start with the job: $(cat "$WORK/refused.json")"
sed -n 2p "$WORK/refused.json" | grep -q '"state":"TRANSIENT_ERROR".*"curl_code":7.*"next_try_s":60[01]' ||
	die "--json lacks the transient error: $(cat "$WORK/refused.json")"
tail -n 1 "$WORK/refused.json" | grep -q '"event":"interrupted".*"kept":false' ||
	die "--json lacks the interruption: $(cat "$WORK/refused.json")"
echo "ok: a refused connection is said at once, Ctrl-C cancels"

# One-shot limits: --retry-delay (seconds, floor 5) and --timeout.
dl download --retry-delay 1 "http://127.0.0.1:$closed/z.iso" z.iso 2> "$WORK/err"
[ $? = 2 ] && grep -q "1 s is below the 5 s floor" "$WORK/err" || die "retry delay floor: $(cat "$WORK/err")"
[ "$(jobs_left)" = "[]" ] || die "a refused download left its job: $(jobs_left)"
start=$SECONDS
dl --test-short-retry download --retry-delay 1 --timeout 2 \
	"http://127.0.0.1:$closed/z.iso" z.iso 2> "$WORK/err"
[ $? = 1 ] || die "--timeout did not end the download in error"
[ $((SECONDS - start)) -le 6 ] || die "--timeout 2 took $((SECONDS - start)) s"
[ "$(grep -c "next try in 1 s" "$WORK/err")" -ge 1 ] || die "--retry-delay not used: $(cat "$WORK/err")"
echo "ok: --retry-delay, --timeout"

# Ctrl-C mid-transfer removes the temporary file; with --keep the same
# command resumes the kept job where it stopped.
slow=$URL/fault/slow:200000/slow.bin
wait_body() {
	for _ in $(seq 100); do
		[ "$(grep -c "GET /fault/slow:200000/slow.bin" "$WORK/server.log")" -ge "$1" ] && break
		sleep 0.05
	done
	sleep 0.6
}
dl_bg download "$slow" gone.bin 2> "$WORK/err" &
pid=$!
wait_body 1
kill -INT "$pid"; wait "$pid"
[ -z "$(ls -A "$WORK/here" | grep -v -e '^a.iso$' -e '^b.bin$')" ] ||
	die "Ctrl-C left files: $(ls -A "$WORK/here")"
dl_bg download --keep "$slow" slow.bin 2> "$WORK/err" &
pid=$!
wait_body 2
kill -INT "$pid"; wait "$pid"; rc=$?
[ $rc = 130 ] || die "Ctrl-C with --keep exited $rc"
grep -q "kept (SUSPENDED)" "$WORK/err" || die "no word of the kept job: $(cat "$WORK/err")"
dl list | grep -q SUSPENDED || die "the kept job is not SUSPENDED: $(dl list)"
dl download --keep "$slow" slow.bin 2> "$WORK/err" || die "re-run failed: $(cat "$WORK/err")"
grep -q "resuming kept job" "$WORK/err" || die "the re-run did not resume: $(cat "$WORK/err")"
cmp slow.bin "$WORK/www/slow.bin" || die "the resumed file differs"
grep "GET /fault/slow:200000/slow.bin" "$WORK/server.log" | tail -n 1 |
	grep -q "range=bytes=[1-9][0-9]*-" || die "not resumed: $(tail -n 3 "$WORK/server.log")"
[ "$(grep -c "GET /fault/slow:200000/slow.bin" "$WORK/server.log")" = 3 ] ||
	die "another transfer ran: $(grep slow.bin "$WORK/server.log")"
[ "$(jobs_left)" = "[]" ] || die "a job is left after the resume: $(jobs_left)"
echo "ok: Ctrl-C cancels, --keep then the same command resumes"

# On a terminal the meter redraws one line, never wider than the terminal.
command -v script >/dev/null || { echo "script (util-linux) not installed"; exit 77; }
for cols in 80 30 12; do
	rm -f meter.bin
	script -qec "stty cols $cols; $BGCOPY --store $WORK/store download \
		$URL/fault/slow:400000/slow.bin meter.bin" "$WORK/tty.$cols" >/dev/null ||
		die "download on a terminal failed"
	# What the command wrote, without script's first and last lines.
	sed '1d;$d' "$WORK/tty.$cols" > "$WORK/body.$cols"
	tr -d '\n' < "$WORK/body.$cols" | tr '\r' '\n' | sed '/^$/d' > "$WORK/meter.$cols"
	[ "$(wc -l < "$WORK/meter.$cols")" -ge 3 ] || die "no redraws at $cols columns"
	awk -v w="$cols" 'length($0) > w - 1 { bad = 1 } END { exit bad }' "$WORK/meter.$cols" ||
		die "a line wider than $((cols - 1)) at $cols columns: $(cat -A "$WORK/meter.$cols")"
	# One line ended at the end (and the blank line script adds).
	[ "$(tr -cd '\n' < "$WORK/body.$cols" | wc -c)" -le 2 ] ||
		die "the meter printed new lines: $(cat -A "$WORK/body.$cols")"
done
grep -q '%.*/s ETA *[0-9]*:[0-9][0-9]' "$WORK/meter.80" || die "no percent, rate and ETA: $(cat "$WORK/meter.80")"
echo "ok: the meter redraws one line at 80, 30 and 12 columns"

# The bgcopy verbs from the shell: a job built step by step, run by one
# process while another reads it, the exit codes, and --help for each.
. "$(dirname "$0")/lib.sh"

bg() { "$BGCOPY" --store "$WORK/store" --test-short-retry "$@"; }
expect_exit() {
	local want=$1; shift
	"$@" > "$WORK/last.out" 2> "$WORK/last.err"
	local got=$?
	[ "$got" = "$want" ] || die "'$*' exited $got, expected $want: $(cat "$WORK/last.err")"
}

start_server
make_file one.bin 200000
make_file two.bin 100000
mkdir -p "$WORK/out"
URL=http://127.0.0.1:$PORT

for verb in download create add resume suspend cancel complete info list set-priority \
	    set-retry-delay set-no-progress-timeout set-max-download set-redirect-policy set-credentials set-headers set-flags set-notify-cmd set-notify-cmd-timeout \
	    clear-notify-cmd wait run; do
	bg "$verb" --help | grep -q "usage: bgcopy $verb" || die "$verb --help"
done
"$BGCOPY" --version | grep -qx "bgcopy [0-9][0-9.]*" || die "bgcopy --version"
"$BGCOPY" record --version | grep -qx "bgcopy-record [0-9][0-9.]*" || die "bgcopy record --version"
expect_exit 2 bg no-such-verb
grep -q "unknown verb 'no-such-verb'" "$WORK/last.err" || die "unknown verb message"

job=$(bg create "two files") || die "create"
[[ $job =~ ^[0-9a-f-]{36}$ ]] || die "create printed '$job'"
bg add "$job" "$URL/fault/slow:300000/one.bin" "$WORK/out/one.bin" || die "add"
bg add "$job" "$URL/two.bin" "$WORK/out/two.bin" || die "add"
expect_exit 2 bg add "$job" "gopher://x/y" "$WORK/out/y"
grep -q "gopher" "$WORK/last.err" || die "bad scheme not named: $(cat "$WORK/last.err")"
expect_exit 2 bg set-priority "$job" urgent
bg set-priority "$job" high || die "set-priority"
expect_exit 2 bg set-flags "$job" 0x40
# Hex only with 0x: 010 is ten, not eight.
bg set-flags "$job" 010 || die "set-flags 010"
bg info "$job" --json | grep -qF '"notify_flags": 10,' || die "set-flags 010 is not ten"
expect_exit 2 bg set-flags "$job" 1f
bg set-flags "$job" 0x13 || die "set-flags"
expect_exit 2 "$BGCOPY" --store "$WORK/store" set-retry-delay "$job" 1
grep -q "minimum retry delay 1 s is below the 5 s floor" "$WORK/last.err" ||
	die "the retry delay floor is not said in seconds: $(cat "$WORK/last.err")"
bg set-retry-delay "$job" 1 || die "set-retry-delay"
expect_exit 2 bg set-max-download "$job" -5
bg set-max-download "$job" 1000000 || die "set-max-download"
expect_exit 2 bg set-redirect-policy "$job" sometimes
grep -q "allow, disallow or allow-insecure, not 'sometimes'" "$WORK/last.err" || die "bad policy not named"
bg set-redirect-policy "$job" disallow || die "set-redirect-policy"
bg info "$job" --json > "$WORK/info.json" || die "info"
for want in '"state": "SUSPENDED"' '"priority": "HIGH"' '"notify_flags": 19' \
	    '"min_retry_delay": 1,' '"files_total": 2' '"max_download_size": 1000000' \
	    '"redirect_policy": "disallow"'; do
	grep -qF "$want" "$WORK/info.json" || die "info --json lacks $want"
done
bg set-notify-cmd "$job" /bin/true --token=s3cret || die "set-notify-cmd"
bg info "$job" > "$WORK/info.txt"
grep -q "command line '/bin/true (+1 argument)' (time limit 300s)" "$WORK/info.txt" ||
	die "info shows the command line: $(cat "$WORK/info.txt")"
bg info "$job" --json | grep -q s3cret && die "info --json shows the arguments"
bg info "$job" --show-args | grep -q "command line '/bin/true --token=s3cret'" ||
	die "info --show-args hides the arguments"
expect_exit 2 bg set-notify-cmd-timeout "$job" 0
bg set-notify-cmd-timeout "$job" 30 || die "set-notify-cmd-timeout"
bg info "$job" | grep -q "(time limit 30s)" || die "info shows the time limit"
bg clear-notify-cmd "$job" || die "clear-notify-cmd"
bg resume "$job" || die "resume"

# One process runs the engine; meanwhile another may read but not change.
"$BGCOPY" --store "$WORK/store" wait "$job" > "$WORK/wait.out" &
waiter=$!
sleep 0.1
bg list | grep -q "$job" || die "list while the store is held"
expect_exit 2 bg suspend "$job"
grep -q "in use by pid $waiter" "$WORK/last.err" || die "store-in-use message: $(cat "$WORK/last.err")"
wait "$waiter" || die "wait failed"
grep -q TRANSFERRED "$WORK/wait.out" || die "wait did not report TRANSFERRED"
bg complete "$job" > "$WORK/complete.out" || die "complete"
grep -qx "committed $WORK/out/one.bin (200000 bytes)" "$WORK/complete.out" &&
	grep -qx "committed $WORK/out/two.bin (100000 bytes)" "$WORK/complete.out" ||
	die "complete does not say what it committed: $(cat "$WORK/complete.out")"
cmp "$WORK/www/one.bin" "$WORK/out/one.bin" && cmp "$WORK/www/two.bin" "$WORK/out/two.bin" ||
	die "files differ"
[ "$(bg list --json)" = "[]" ] || die "an acknowledged job is still listed"

# wait refuses a job that is going nowhere, and does not need the
# notification to see the outcome.
quiet=$(bg create quiet)
bg add "$quiet" "$URL/two.bin" "$WORK/out/quiet.bin"
expect_exit 2 bg wait "$quiet"
grep -q "SUSPENDED: resume it first" "$WORK/last.err" || die "wait on a suspended job: $(cat "$WORK/last.err")"
bg set-flags "$quiet" 0x8
bg resume "$quiet"
expect_exit 0 timeout 20 "$BGCOPY" --store "$WORK/store" wait "$quiet"
bg cancel "$quiet"
# A bare file name is one in the current directory.
bare=$(bg create bare)
(cd "$WORK/out" && bg add "$bare" "$URL/two.bin" bare.bin) || die "add with a bare file name"
bg info "$bare" | grep -qF -- "-> $WORK/out/bare.bin" || die "the bare name is not made absolute"
bg cancel "$bare"
# complete on a job that never transferred says so and drops its files.
never=$(bg create never)
bg add "$never" "$URL/two.bin" "$WORK/out/never.bin"
bg complete "$never" > "$WORK/never.out" || die "complete of a suspended job"
grep -qx "job $never never transferred (it was SUSPENDED): 0 of 1 files committed" "$WORK/never.out" &&
	grep -qx "dropped $WORK/out/never.bin (not transferred: 0 bytes)" "$WORK/never.out" ||
	die "complete of a job that never transferred: $(cat "$WORK/never.out")"
[ ! -e "$WORK/out/never.bin" ] || die "a file that never transferred was committed"
# Secrets never printed.
secret=$(bg create secret)
bg add "$secret" "http://me:hunter2@127.0.0.1:$PORT/two.bin?sig=abc" "$WORK/out/secret.bin"
bg info "$secret" --json > "$WORK/secret.json"
if grep -q -e hunter2 -e sig=abc "$WORK/secret.json"; then die "info shows a secret"; fi
grep -qF "\"url\": \"http://127.0.0.1:$PORT/two.bin\"" "$WORK/secret.json" || die "info lacks the URL"
bg cancel "$secret"

# A job error: exit 1 and the error named.
bad=$(bg create bad)
bg add "$bad" "$URL/fault/404/one.bin" "$WORK/out/bad.bin"
bg resume "$bad"
expect_exit 1 bg wait "$bad"
grep -q "HTTP 404" "$WORK/last.err" || die "404 not named: $(cat "$WORK/last.err")"
expect_exit 1 bg run
bg cancel "$bad" || die "cancel"
[ ! -e "$WORK/out/bad.bin" ] || die "a failed download left a file"

# add --sha256: a digest that is not 64 hexadecimal digits is refused and
# adds nothing; the right one lets the file through; a wrong one ends the
# job in error naming both digests, the destination never written.
make_file sum.bin 150000
right=$(sha256sum "$WORK/www/sum.bin" | cut -d' ' -f1)
other=$(sha256sum "$WORK/www/one.bin" | cut -d' ' -f1)
sums=$(bg create sums)
expect_exit 2 bg add "$sums" "$URL/sum.bin" "$WORK/out/sum.bin" --sha256 "${right%?}g"
grep -q "is not a SHA-256" "$WORK/last.err" || die "bad digest not explained: $(cat "$WORK/last.err")"
expect_exit 2 bg add "$sums" "$URL/sum.bin" "$WORK/out/sum.bin" --sha256
bg info "$sums" --json | grep -q '"url"' && die "a refused digest added a file"
bg add "$sums" "$URL/sum.bin" "$WORK/out/sum.bin" --sha256 "$right" || die "add --sha256"
bg resume "$sums"
expect_exit 0 bg wait "$sums"
bg complete "$sums" || die "complete"
cmp -s "$WORK/www/sum.bin" "$WORK/out/sum.bin" || die "the checked file differs"
wrong=$(bg create wrong)
bg add "$wrong" "$URL/sum.bin" "$WORK/out/wrong.bin" --sha256 "$other" || die "add --sha256"
bg resume "$wrong"
expect_exit 1 bg wait "$wrong"
bg info "$wrong" | grep -q "SHA-256 mismatch: expected $other, got $right" ||
	die "info does not name both digests: $(bg info "$wrong")"
[ ! -e "$WORK/out/wrong.bin" ] || die "a mismatched file reached its destination"
ls -a "$WORK/out" | grep -q '^\.wrong\.bin\..*bgcopy-tmp$' || die "the mismatched bytes were not kept"
bg cancel "$wrong" || die "cancel"
! ls -a "$WORK/out" | grep -q 'wrong.*bgcopy-tmp' || die "cancel left the temporary file"
echo "cli verbs ok"

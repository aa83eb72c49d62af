# Seeded random clients (tests/tools/random_client.c) drive the real engine
# under a lossless recording; for every seed, the callbacks each client
# counted equal the trace's callback_begin events (per job and kind), the
# command-line runs its script logged equal the trace's cmdline_run events
# (per job and kind), and bgcopy-analyze says PASS.  A correct engine
# passes every seed, whatever the timing; a seed divisible by 3 runs with
# BGCOPY_TEST_SLOW_SPAWN, which holds every command line 250 ms between
# the engine's decision and its start, and a seed one more than that with
# BGCOPY_TEST_SLOW_BEGIN, which records every other JobModification begin
# 5 ms late (JobModification spacing must count from the recorded begin).
#
# Which seeds:
#   (default, make check)  seeds 4 8 9 and 32 (a case the checker once
#                          misjudged), 150 jobs each
#   BGCOPY_SEEDS=N         N seeds from BGCOPY_SEED_BASE (default 1),
#                          300 jobs each (make soak SEEDS=N)
#   BGCOPY_SEED=N          that one seed (to replay one that failed)
#   BGCOPY_JOBS=N          jobs per seed, whatever the above says
#   BGCOPY_SEPARATE=1      random_client --separate: no job has both an
#                          interface and a command line (to tell a
#                          failure of the hand-over rules from the rest)
#   BGCOPY_PARALLEL=N      N seeds at once (default 2), each with its own
#                          server and a session that tracks its client's
#                          pid alone (a client mostly waits: on 2 cores,
#                          3 at once take about the time of one)
# Each seed prints `seed N: PASS|FAIL|INCONCLUSIVE ...'; a seed that did
# not pass keeps its trace, receipts and logs under
# BGCOPY_BUILD/random-clients/seed-N and says how to replay it.  The
# default run first shows that the count comparison can fail.
. "$(dirname "$0")/lib.sh"

CLIENT=$B/tools/random_client
KEEP=$B/random-clients
NOTIFY=$WORK/notify.sh
analyze() { LD_PRELOAD=$BT_PRELOAD "$ANALYZE" "$@"; }

[ -x "$CLIENT" ] || die "$CLIENT is not built"
if [ -n "${BGCOPY_SEED:-}" ]; then
	seeds=$BGCOPY_SEED jobs=${BGCOPY_JOBS:-80} separate=${BGCOPY_SEPARATE:-0}
elif [ -n "${BGCOPY_SEEDS:-}" ]; then
	base=${BGCOPY_SEED_BASE:-1}
	seeds=$(seq "$base" $((base + BGCOPY_SEEDS - 1))) jobs=${BGCOPY_JOBS:-300}
	separate=${BGCOPY_SEPARATE:-0}
else
	seeds="4 8 9 32" jobs=${BGCOPY_JOBS:-150} separate=${BGCOPY_SEPARATE:-0}
fi
client_options=
[ "$separate" = 1 ] && client_options=--separate

# The notify command line: logs "JOB-ID EVENT" and exits as told.
cat > "$NOTIFY" <<'EOF'
#!/bin/sh
log=$1 status=$2
shift 2
echo "$*" >> "$log"
exit "$status"
EOF
chmod +x "$NOTIFY"

# count_events TRACE-TEXT EVENT: "JOB-ID KIND" per event of that name.
count_events() {
	sed -n "s/.* bgcopy:$2: .* job = \"\([0-9a-f-]*\)\".* kind = ( \"\([A-Z_]*\)\".*/\1 \2/p" "$1"
}

# compare_counts RECEIPTS CMDLINE-LOG TRACE-TEXT: prints each job and kind
# whose count differs between client and trace; fails if any does.
compare_counts() {
	local receipts=$1 log=$2 text=$3
	{
		count_events "$text" callback_begin | sed 's/^/callback /'
		count_events "$text" cmdline_run | sed 's/^/cmdline /'
		sed 's/ transferred$/ JOB_TRANSFERRED/; s/ error$/ JOB_ERROR/; s/^/logged /' "$log"
	} | awk -v receipts="$receipts" '
		BEGIN {
			while ((getline line < receipts) > 0) {
				split(line, f, " ")
				if (f[1] != "receipt")
					continue
				ours[f[2]] = 1
				client[f[2] " " f[3]] = f[4]
			}
		}
		!($2 in ours) { next }
		$1 == "callback" { callback[$2 " " $3]++ }
		$1 == "cmdline" { run[$2 " " $3]++ }
		$1 == "logged" { logged[$2 " " $3]++ }
		END {
			for (k in client)
				if (client[k] != callback[k] + 0)
					printf "%s: client received %d, trace has %d callback_begin\n",
						k, client[k], callback[k]
			for (k in callback)
				if (!(k in client))
					printf "%s: trace has %d callback_begin of an unknown kind\n",
						k, callback[k]
			for (k in run)
				if (run[k] != logged[k] + 0)
					printf "%s: trace has %d cmdline_run, the script logged %d runs\n",
						k, run[k], logged[k]
			for (k in logged)
				if (!(k in run))
					printf "%s: the script logged %d runs, trace has no cmdline_run\n",
						k, logged[k]
		}' | sort | grep .
	[ $? != 0 ]
}

# verdict SEED WORD DETAIL: prints the seed's line, notes its word in
# $WORK/verdicts (seeds may run in subshells), keeps what failed.
verdict() {
	local seed=$1 word=$2 detail=$3 dir=$WORK/seed-$1
	echo "seed $seed: $word $detail"
	echo "$word" >> "$WORK/verdicts"
	[ "$word" = PASS ] && return
	rm -rf "$KEEP/seed-$seed"
	mkdir -p "$KEEP"
	cp -r "$dir" "$KEEP/seed-$seed"
	echo "seed $seed: kept in $KEEP/seed-$seed; replay: BGCOPY_SEED=$seed" \
		"BGCOPY_JOBS=$jobs BGCOPY_SEPARATE=$separate BGCOPY_BUILD=$B bash tests/e2e/random_clients.sh"
}

# run_seed SEED: one client under its own session, then the checks.
run_seed() {
	local seed=$1 dir=$WORK/seed-$1 start=$SECONDS rc mismatches summary
	mkdir -p "$dir/out/dl"
	: > "$dir/out/cmdline.log"
	# A fresh server for each seed: its own time limit and fault counters.
	start_server "$dir" 2> /dev/null
	# The client waits at a gate until its session tracks its pid.
	mkfifo "$dir/gate"
	(read -r _ < "$dir/gate"; exec env BGCOPY_TRACE=1 LTTNG_UST_ALLOW_BLOCKING=1 \
		"$CLIENT" $client_options "$seed" "$jobs" "http://127.0.0.1:$PORT" "$WORK/www" \
		"$dir/out" "$NOTIFY" > "$dir/receipts" 2> "$dir/client.err") &
	client=$!
	# This subshell's own clean-up, should it die on the way.
	trap '[ -n "$SESSION" ] && lttng destroy "$SESSION" >/dev/null 2>&1
		kill $client $SERVER_PID 2>/dev/null' EXIT
	TRACK_VPID=$client start_session "$dir/trace"
	echo go > "$dir/gate"
	wait "$client"
	rc=$?
	stop_session
	kill "$SERVER_PID" && wait "$SERVER_PID" 2> /dev/null
	SERVER_PID=
	summary=$(tail -n 1 "$dir/client.err")
	if [ $rc != 0 ]; then
		verdict "$seed" FAIL "client exited $rc: $(sed '1d;$d' "$dir/client.err" | head -n 3)"
		return
	fi
	bt "$dir/trace" > "$dir/trace.txt" 2> "$dir/bt.err" ||
		{ verdict "$seed" FAIL "babeltrace2 cannot read the trace: $(head -n 1 "$dir/bt.err")"; return; }
	if ! mismatches=$(compare_counts "$dir/receipts" "$dir/out/cmdline.log" "$dir/trace.txt"); then
		verdict "$seed" FAIL "client and trace disagree: $(echo "$mismatches" | head -n 5)"
		return
	fi
	analyze --timeline "$dir/trace" > "$dir/analyze.txt" 2>&1
	rc=$?
	case $rc in
	0) verdict "$seed" PASS "in $((SECONDS - start)) s: $(wc -l < "$dir/out/cmdline.log") command-line runs, ${summary#seed $seed: }" ;;
	2) verdict "$seed" INCONCLUSIVE "(lossless recording): $(grep '^verdict' "$dir/analyze.txt")" ;;
	*) verdict "$seed" FAIL "bgcopy-analyze exited $rc: $(grep -E '^ +G[0-9]|^verdict|^bgcopy-analyze' \
		"$dir/analyze.txt" | head -n 6)" ;;
	esac
}

# The comparison must see a receipt too many and a run the trace lacks.
self_test() {
	local dir=$WORK/seed-$1 bad=$WORK/bad
	mkdir -p "$bad"
	awk '$1 == "receipt" && !done { $4++; done = 1 } { print }' "$dir/receipts" > "$bad/receipts"
	compare_counts "$bad/receipts" "$dir/out/cmdline.log" "$dir/trace.txt" > /dev/null &&
		die "a receipt counted once too often went unnoticed"
	{ cat "$dir/out/cmdline.log"; awk '$1 == "receipt" { print $2, "error"; exit }' \
		"$dir/receipts"; } > "$bad/cmdline.log"
	compare_counts "$dir/receipts" "$bad/cmdline.log" "$dir/trace.txt" > /dev/null &&
		die "a command-line run missing from the trace went unnoticed"
	echo "ok the count comparison fails on a wrong receipt and on a run the trace lacks"
}

# run_seeds: each seed in a subshell of its own, at most $parallel at once.
run_seeds() {
	local seed running=0
	for seed in $seeds; do
		if [ "$running" -ge "$parallel" ]; then
			wait -n
			running=$((running - 1))
		fi
		(run_seed "$seed"
		 if [ -z "${BGCOPY_SEEDS:-}${BGCOPY_SEED:-}" ] && [ "$seed" = 4 ] &&
			[ -s "$WORK/seed-4/trace.txt" ]; then
			(self_test 4) || echo SELF-TEST >> "$WORK/verdicts"
		 fi
		 rm -rf "$WORK/seed-$seed") &
		running=$((running + 1))
	done
	wait
}

parallel=${BGCOPY_PARALLEL:-2}
: > "$WORK/verdicts"
start_sessiond
run_seeds
passed=$(grep -c '^PASS$' "$WORK/verdicts")
failed=$(grep -c '^FAIL$' "$WORK/verdicts")
inconclusive=$(grep -c '^INCONCLUSIVE$' "$WORK/verdicts")
grep -q '^SELF-TEST$' "$WORK/verdicts" && die "the count comparison's self-test failed"
echo "random clients: $passed passed, $failed failed, $inconclusive inconclusive" \
	"($jobs jobs per seed, BGCOPY_SEPARATE=$separate, BGCOPY_PARALLEL=$parallel)"
[ "$passed" = "$(echo $seeds | wc -w)" ]

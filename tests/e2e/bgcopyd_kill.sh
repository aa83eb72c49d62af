# bgcopyd killed with SIGKILL 30 times at random moments and inside
# callbacks, during transfers, while clients queue jobs, register and
# complete them:
# no job lost or doubled, every file identical, no temporary file left,
# every JobTransferred received at least once.
# BGCOPY_KILL_SEED=N replays a run's moments; BGCOPY_KILLS changes the count.
export BGCOPY_EMBEDDED=0
. "$(dirname "$0")/lib.sh"
unset BGCOPY_EMBEDDED BGCOPY_SOCKET BGCOPY_SERVICE
CLIENT=$B/tools/service_client
[ -x "$CLIENT" ] || die "$CLIENT was not built"

SEED=${BGCOPY_KILL_SEED:-$((($(date +%s%N) / 1000) % 1000000))}
KILLS=${BGCOPY_KILLS:-30}
CLIENTS=3 JOBS=6
echo "seed $SEED, $KILLS kills (BGCOPY_KILL_SEED=$SEED replays the moments)"
RANDOM=$SEED

STORE=$WORK/store
export XDG_RUNTIME_DIR=$WORK/run BGCOPYD_IDLE_EXIT=60
mkdir -m 0700 "$XDG_RUNTIME_DIR"
mkdir -p "$WORK/out" "$WORK/clients"
# The store's lock holder, when it is a daemon (never a client's engine).
daemon_pid() {
	local pid
	pid=$(head -n 1 "$STORE/lock" 2>/dev/null) || return 1
	[ -n "$pid" ] && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = bgcopyd ] && echo "$pid"
}
stop_daemon() {
	local pid
	pid=$(daemon_pid) && kill "$pid" 2>/dev/null && wait_gone "$pid"
}
trap 'kill $(jobs -p) 2>/dev/null; stop_daemon; cleanup' EXIT

# The server outlives every client: the last round's clients may run to
# their own 600 s deadline, which a loaded machine can push past the
# server's default lifetime counted from the test's start.
TESTD_MAX_SECONDS=1800 start_server
# Slow enough that a kill lands mid-transfer; each callback takes 300 ms
# to return, so that kills land inside callbacks too.
URL=http://127.0.0.1:$PORT/fault/slow:400000
round=0 names=()
start_round() {
	round=$((round + 1))
	for c in $(seq "$CLIENTS"); do
		local name=r${round}c$c
		for i in $(seq 0 $((JOBS - 1))); do
			make_file "$name-$i.bin" $((100000 + RANDOM * 16))
		done
		# Each client's status lands in a file as it ends: bash forgets a
		# finished child's status once its pid is reused, which a loaded
		# machine does within one test.
		( "$CLIENT" --store "$STORE" --name "$name" --jobs "$JOBS" --url "$URL" \
			--out "$WORK/out" --log "$WORK/callbacks.log" --callback-ms 300 \
			--deadline-s 600 > "$WORK/clients/$name.out" 2> "$WORK/clients/$name.err"
		  echo $? > "$WORK/clients/$name.rc" ) &
		names+=("$name")
	done
}
# Each client's own last words: why it ended, not its reconnects nor the
# jobs it left, which follow.
clients_said() {
	for f in "$WORK"/clients/*.err; do
		echo "==> $f <=="
		grep -v -e " reconnecting: " -e " not done: " "$f" | tail -n 5
	done
}
alive() { for n in "${names[@]}"; do [ -e "$WORK/clients/$n.rc" ] || return 0; done; return 1; }

# Receipts and answers so far (service_client logs both).
count_lines() { grep -c "^$1 " "$WORK/callbacks.log" 2>/dev/null; }
# Waits up to 20 s for a callback to begin: it lasts 300 ms from its
# receipt, so a kill right after lands inside it.
await_callback() {
	local before
	before=$(count_lines JOB_TRANSFERRED)
	for _ in $(seq 1000); do
		[ "$(count_lines JOB_TRANSFERRED)" != "$before" ] && return 0
		sleep 0.02
	done
	return 1
}

# Rounds of clients until every kill has landed; a new daemon is started
# by the clients on demand after each kill.  Every fifth kill waits for a
# callback to begin; the others fall at random.
start_round
kills=0 inside=0
while [ "$kills" -lt "$KILLS" ]; do
	alive || start_round
	pid=
	for _ in $(seq 600); do pid=$(daemon_pid) && break; sleep 0.05; done
	[ -n "$pid" ] || { clients_said; die "no daemon was started again within 30 s after kill $kills"; }
	if [ $((kills % 5)) = 4 ]; then
		await_callback || echo "kill $((kills + 1)): no callback began within 20 s"
	else
		# A moment between 0 and 2.5 s after this daemon appeared.
		ms=$((RANDOM % 2500))
		sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
	fi
	kill -9 "$pid" 2>/dev/null || continue	# it went by itself: not counted
	wait_gone "$pid"
	kills=$((kills + 1))
	# A callback begun and not yet answered: this kill cut it.
	cut=$(($(count_lines JOB_TRANSFERRED) - $(count_lines RETURNING)))
	[ "$cut" -gt 0 ] && inside=$((inside + 1))
	echo "kill $kills: pid $pid after ${SECONDS}s, $cut callbacks under way"
done
# The kills aimed at callbacks cut at least one: the checks below (no job
# lost or doubled, every JobTransferred received) then hold across one.
[ "$inside" -gt 0 ] || die "no kill landed inside a callback (seed $SEED)"
# Two minutes after the last kill every client is done, unless a job is
# stuck: then the daemon's and the clients' stacks go to the log (gdb,
# where installed), for whoever reads a failure.
for _ in $(seq 600); do alive || break; sleep 0.2; done
if alive; then
	# Read live, while the clients are still connected (later, `info`
	# may read the store of a daemon gone meanwhile).
	echo "clients still running 120 s after the last kill; daemon: $(daemon_pid || echo none)"
	"$BGCOPY" --store "$STORE" list 2>&1 | head -n 40
fi
if alive && command -v gdb >/dev/null; then
	pid=$(daemon_pid)
	echo "stacks follow"
	for p in $pid $(pgrep -f "service_client --store $STORE"); do
		echo "== pid $p ($(cat /proc/"$p"/comm 2>/dev/null))"
		gdb -p "$p" -batch -ex "thread apply all bt" 2>/dev/null | grep -E '^(Thread|#)'
	done
fi
while alive; do sleep 0.2; done	# each client ends by its --deadline-s
failed=0
for n in "${names[@]}"; do [ "$(cat "$WORK/clients/$n.rc")" = 0 ] || failed=$((failed + 1)); done
[ "$failed" = 0 ] || {
	clients_said
	# What the jobs left behind were doing, for the next reader.
	echo "daemon at the end: $(daemon_pid || echo "none: what follows is the store's")"
	echo "the daemons' log, apart from their start lines:"
	grep -v " serves store " "$STORE/bgcopyd.log" | tail -n 20
	for id in $(sed -n 's/.*(\([0-9a-f-]\{36\}\)) not done.*/\1/p' "$WORK"/clients/*.err); do
		echo "job $id, as the store has it:"
		"$BGCOPY" --store "$STORE" info "$id" 2>&1 | sed 's/^/    /'
		echo "    its callbacks: $(grep -c " $id " "$WORK/callbacks.log") lines;" \
			"its client: $(grep -h "received $id" "$WORK"/clients/*.out)"
	done
	grep -h "not done" "$WORK"/clients/*.err | head -5
	die "$failed clients failed (seed $SEED)"
}
echo "$round rounds of $CLIENTS clients, $JOBS jobs each"

# Every job was created once: one id per name, one name per id.
cat "$WORK"/clients/*.out | awk '$1 == "job"' | sort -u > "$WORK/jobs"
want=$((round * CLIENTS * JOBS))
[ "$(awk '{ print $2 }' "$WORK/jobs" | sort -u | wc -l)" = "$want" ] ||
	die "not $want named jobs: $(cat "$WORK/jobs")"
[ "$(wc -l < "$WORK/jobs")" = "$want" ] || die "a name has two ids: $(cat "$WORK/jobs")"
[ "$(awk '{ print $3 }' "$WORK/jobs" | sort -u | wc -l)" = "$want" ] || die "an id has two names"
# Every job was completed and none was made twice: the store is empty.
"$BGCOPY" --store "$STORE" list --json > "$WORK/left.json" || die "bgcopy list"
grep -q '"id"' "$WORK/left.json" && die "jobs left in the store (doubled?): $(cat "$WORK/left.json")"
# Every file identical, nothing else in the directory (no temporary file).
while read -r _ name _; do
	cmp "$WORK/www/$name.bin" "$WORK/out/$name.bin" || die "$name.bin differs (seed $SEED)"
done < "$WORK/jobs"
diff <(ls "$WORK/out") <(awk '{ print $2 ".bin" }' "$WORK/jobs" | sort) ||
	die "the output directory holds more than the files (seed $SEED)"
# At least once: every job's JobTransferred was received by its client.
while read -r _ name id; do
	grep -q "^JOB_TRANSFERRED $id $name\$" "$WORK/callbacks.log" ||
		die "job $id ($name) never received JobTransferred (seed $SEED)"
done < "$WORK/jobs"
# What the kills cut: transfers begun again, callbacks made again.
echo "$(($(grep -c '^GET ' "$WORK/server.log") - want)) transfers begun again," \
	"$(($(count_lines JOB_TRANSFERRED) - want)) JobTransferred received again," \
	"$inside kills inside callbacks;" \
	"$(awk '/reconnects/ { r += $4; c += $6; d += $9 } END {
		print r " reconnects, " c " creates and " d " completes whose answer was lost" }' \
		"$WORK"/clients/*.err)"
echo "bgcopyd kill ok"

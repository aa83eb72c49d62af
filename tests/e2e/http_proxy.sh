# A job's proxy against tinyproxy on 127.0.0.1: PRECONFIG takes the
# environment's http_proxy; NO_PROXY goes direct despite it; OVERRIDE uses
# the job's proxy, and its bypass list goes direct; a proxy that asks for
# authentication gives 407 (ERROR) until the job has proxy credentials.
# Stored (every bgcopy run reopens the store; through bgcopyd, across a
# daemon restart); the proxy
# password is nowhere in the trace, info, list, reports or a notify
# command line's environment.
. "$(dirname "$0")/lib.sh"

command -v tinyproxy >/dev/null || { echo "tinyproxy not installed"; exit 77; }
PROXY_PIDS=
DAEMON_STORE=$WORK/dstore
stop_daemon() { stop_store_daemon "$DAEMON_STORE"; }
stop_all() {
	stop_daemon
	for pid in $PROXY_PIDS; do kill "$pid" 2>/dev/null; done
	cleanup
}
trap stop_all EXIT

# start_proxy NAME [USER PASSWORD]: tinyproxy in the foreground, logging
# each request to $WORK/NAME.log; sets PROXY_PORT.
start_proxy() {
	local dir=$WORK/$1
	PROXY_PORT=$(free_port)
	mkdir -p "$dir"
	{
		echo "Port $PROXY_PORT"
		echo "Listen 127.0.0.1"
		echo "Timeout 60"
		echo "LogFile \"$dir/log\""
		echo "LogLevel Info"
		echo "MaxClients 20"
		[ $# = 3 ] && echo "BasicAuth $2 $3"
	} > "$dir/conf"
	tinyproxy -d -c "$dir/conf" > /dev/null 2>&1 &
	PROXY_PIDS="$PROXY_PIDS $!"
	for _ in $(seq 200); do
		grep -q "Accepting connections" "$dir/log" 2>/dev/null && return 0
		sleep 0.05
	done
	die "tinyproxy $1 did not start"
}
analyze() { LD_PRELOAD=$BT_PRELOAD "$ANALYZE" "$@"; }
# through NAME FILE: the proxy NAME forwarded a request for FILE.
through() { grep -q "GET http://127.0.0.1:$PORT/$2 " "$WORK/$1/log"; }

PW=proxy-pw-7731
start_server
start_sessiond
start_proxy open
OPEN=127.0.0.1:$PROXY_PORT
start_proxy auth pxuser "$PW"
AUTH=127.0.0.1:$PROXY_PORT
for f in pre none over bypass auth daemon; do make_file "$f.bin" 30000; done
mkdir -p "$WORK/out"
URL=http://127.0.0.1:$PORT
unset http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY all_proxy ALL_PROXY
printf '%s\n' "$PW" > "$WORK/pw"

bg() { traced "$BGCOPY" --store "$WORK/store" "$@"; }
new_job() {	# NAME: a job for NAME.bin
	local job
	job=$(bg create "$1") || die "create $1"
	bg add "$job" "$URL/$1.bin" "$WORK/out/$1.bin" || die "add $1"
	echo "$job"
}
expect_cli_refusal() { rc=0; bg "$@" 2>/dev/null || rc=$?; [ "$rc" = 2 ] || die "$* exit $rc"; }

start_session "$WORK/trace"
pre=$(new_job pre)
none=$(new_job none)
bg set-proxy "$none" --no-proxy || die "set-proxy --no-proxy"
over=$(new_job over)
bg set-proxy "$over" --override "$OPEN" || die "set-proxy --override"
bypass=$(new_job bypass)
bg set-proxy "$bypass" --override "$AUTH;127.0.0.2" --bypass "localhost, 127.0.0.1" ||
	die "set-proxy --override --bypass"
auth=$(new_job auth)
bg set-proxy "$auth" --override "$AUTH" || die "set-proxy (auth)"
bg set-notify-cmd "$auth" /bin/sh -c 'env > "$0.env"' "$WORK/notify" || die "set-notify-cmd"
expect_cli_refusal set-proxy "$pre" --override "http://pxuser:$PW@$AUTH"
expect_cli_refusal set-proxy "$pre" --no-proxy --bypass x
expect_cli_refusal set-proxy-credentials "$auth" --user pxuser --password "$PW"

bg info "$bypass" --json > "$WORK/bypass.json"
grep -q '"proxy": "override"' "$WORK/bypass.json" &&
	grep -q "\"proxy_list\": \"$AUTH 127.0.0.2\"" "$WORK/bypass.json" &&
	grep -q '"proxy_bypass": "localhost,127.0.0.1"' "$WORK/bypass.json" ||
	die "info does not show the stored proxy: $(cat "$WORK/bypass.json")"

for job in "$pre" "$none" "$over" "$bypass" "$auth"; do bg resume "$job" || die "resume"; done
# The environment is the transferring process's: here the one running wait.
for job in "$pre" "$none" "$over" "$bypass"; do
	http_proxy=http://$OPEN bg wait "$job" || { bg info "$job" >&2; die "job $job did not transfer"; }
done
through open pre.bin || die "PRECONFIG did not use the environment's proxy"
through open none.bin && die "NO_PROXY went through the environment's proxy"
through open over.bin || die "OVERRIDE did not use the job's proxy"
through auth bypass.bin && die "the bypass list was not honoured"

# No proxy credentials: the proxy answers 407, a permanent error.
rc=0; bg wait "$auth" || rc=$?
[ "$rc" = 1 ] || die "auth job: wait exit $rc, not 1 (ERROR)"
bg info "$auth" --json | grep -q '"http_status": 407' || die "no HTTP 407 in the auth job's error"
bg set-proxy-credentials "$auth" --user pxuser --scheme basic --password-file "$WORK/pw" ||
	die "set-proxy-credentials"
bg info "$auth" | grep -q "proxy credentials basic" || die "info does not name the proxy scheme"
bg resume "$auth" && bg wait "$auth" || { bg info "$auth" >&2; die "the auth job did not transfer"; }
through auth auth.bin || die "the auth job did not go through its proxy"
for _ in $(seq 600); do [ -s "$WORK/notify.env" ] && break; sleep 0.05; done
[ -s "$WORK/notify.env" ] || die "the notify command line did not run"

bg info "$auth" > "$WORK/info.txt"
bg info "$auth" --json > "$WORK/info.json"
bg list --json > "$WORK/list.json"
bg list > "$WORK/list.txt"
for job in "$pre" "$none" "$over" "$bypass" "$auth"; do
	bg complete "$job" > /dev/null || die "complete"
done
for f in pre none over bypass auth; do
	cmp -s "$WORK/www/$f.bin" "$WORK/out/$f.bin" || die "$f.bin differs"
done

# --clear and --preconfig undo them.
owned=$(new_job owned)
bg set-proxy-credentials "$owned" --user pxuser --password-file "$WORK/pw" || die "set (owned)"
bg set-proxy-credentials "$owned" --clear || die "--clear"
bg info "$owned" | grep -q "proxy credentials none" || die "--clear kept the proxy credentials"
bg set-proxy "$owned" --override "$OPEN" && bg set-proxy "$owned" --preconfig &&
	bg info "$owned" | grep -q "proxy preconfig ''" || die "--preconfig did not reset the proxy"
bg cancel "$owned"
stop_session

bt "$WORK/trace" > "$WORK/trace.txt" || die "trace unreadable"
grep -q '( "PROXY" : container = 13 ), value = "override"' "$WORK/trace.txt" ||
	die "the trace does not say a proxy was set"
grep -q '( "PROXY_CREDENTIALS" : container = 14 ), value = "basic"' "$WORK/trace.txt" ||
	die "the trace does not say proxy credentials were set"
analyze --format json "$WORK/trace" > "$WORK/report.json" 2>/dev/null
analyze --timeline "$WORK/trace" > "$WORK/timeline.txt" 2>/dev/null
[ -s "$WORK/report.json" ] && [ -s "$WORK/timeline.txt" ] || die "no report to search"

# Through bgcopyd: the proxy and its credentials (and the maximum
# download time, the dynamic content flag) travel to the daemon,
# whose environment has no proxy, and survive its restart.
export BGCOPY_EMBEDDED=0 BGCOPYD_IDLE_EXIT=60 XDG_RUNTIME_DIR=
d() { "$BGCOPY" --store "$DAEMON_STORE" "$@"; }
djob=$(d create daemon) && d add "$djob" "$URL/daemon.bin" "$WORK/out/daemon.bin" ||
	die "create through the daemon"
d set-proxy "$djob" --override "$AUTH" --bypass example.invalid || die "set-proxy through the daemon"
d set-proxy-credentials "$djob" --user pxuser --password-file "$WORK/pw" ||
	die "set-proxy-credentials through the daemon"
d set-max-download-time "$djob" 3600 || die "set-max-download-time through the daemon"
d set-dynamic-content "$djob" on || die "set-dynamic-content through the daemon"
stop_daemon
d info "$djob" --json > "$WORK/daemon.json"
grep -q '"proxy": "override"' "$WORK/daemon.json" &&
	grep -q '"proxy_bypass": "example.invalid"' "$WORK/daemon.json" &&
	grep -q '"proxy_credentials": "any"' "$WORK/daemon.json" &&
	grep -q '"max_download_time": 3600,' "$WORK/daemon.json" &&
	grep -q '"dynamic_content": true' "$WORK/daemon.json" ||
	die "the proxy did not survive the daemon's restart: $(cat "$WORK/daemon.json")"
d resume "$djob" && d wait "$djob" || { d info "$djob" >&2; die "the daemon's job did not transfer"; }
through auth daemon.bin || die "the daemon's job did not go through its proxy"
d complete "$djob" > /dev/null || die "complete through the daemon"
stop_daemon

[ "$(stat -c %a "$WORK/store/jobs.db")" = 600 ] || die "the store is not its owner's only"
if grep -rqF -e "$PW" "$WORK/trace" "$WORK/trace.txt" "$WORK/info.txt" "$WORK/info.json" \
	"$WORK/list.json" "$WORK/list.txt" "$WORK/report.json" "$WORK/timeline.txt" \
	"$WORK/notify.env" "$WORK/bypass.json" "$WORK/daemon.json"; then
	die "the proxy password was shown"
fi
echo "proxy: preconfig, no_proxy, override, bypass, 407 then credentials, through bgcopyd; no password shown"

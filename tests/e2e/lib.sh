# Shared by the end-to-end scripts and the demo: a scratch directory, the
# test server, and an LTTng session that records lossless.
# Expects BGCOPY_BUILD (tests/run.sh exports it).
set -u
B=${BGCOPY_BUILD:?BGCOPY_BUILD is not set}
# The scripts drive and trace the engine inside the bgcopy command,
# unless BGCOPY_EMBEDDED=0 says to go through bgcopyd (bgcopyd_client*.sh).
export BGCOPY_EMBEDDED=${BGCOPY_EMBEDDED-1}
BGCOPY=$B/bin/bgcopy
ANALYZE=$B/bin/bgcopy-analyze
TESTD=$B/tests/testd
PLUGIN_DIR=$B/plugins
WORK=$(mktemp -d /tmp/bgcopy-e2e-XXXXXX)
SERVER_PID=
SESSIOND_PID=
SESSION=

# babeltrace2 is not built with the sanitizers: give it their runtimes
# before it loads a sanitized plugin.
BT_PRELOAD=
case $B in *asan*)
	BT_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0:verify_asan_link_order=0 ;;
esac

bt() { LD_PRELOAD=$BT_PRELOAD babeltrace2 "$@"; }

die() { echo "FAIL: $*" >&2; exit 1; }

cleanup() {
	[ -n "$SESSION" ] && lttng destroy "$SESSION" >/dev/null 2>&1
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
	[ -n "$SESSIOND_PID" ] && kill "$SESSIOND_PID" 2>/dev/null && wait_gone "$SESSIOND_PID"
	rm -rf "$WORK"
}
trap cleanup EXIT

wait_gone() {
	for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.05; done
}

# start_server [DIR]: serves $WORK/www; sets PORT and SERVER_PID.  Its
# port file and log go to DIR (default $WORK), one per concurrent server.
# It exits by itself after TESTD_MAX_SECONDS (600), should a test leak it.
start_server() {
	local dir=${1:-$WORK}
	mkdir -p "$WORK/www"
	rm -f "$dir/port"
	"$TESTD" --root "$WORK/www" --port-file "$dir/port" --log "$dir/server.log" \
		--max-seconds "${TESTD_MAX_SECONDS:-600}" >/dev/null &
	SERVER_PID=$!
	for _ in $(seq 200); do [ -s "$dir/port" ] && break; sleep 0.02; done
	PORT=$(cat "$dir/port") || die "test server did not start"
}

# start_sessiond: uses a running session daemon or starts one (stopped at exit).
start_sessiond() {
	command -v lttng-sessiond >/dev/null || { echo "lttng-sessiond not installed"; exit 77; }
	if ! lttng list >/dev/null 2>&1; then
		lttng-sessiond --daemonize --pidfile="$WORK/sessiond.pid" >/dev/null 2>&1 ||
			die "cannot start lttng-sessiond"
		for _ in $(seq 100); do [ -s "$WORK/sessiond.pid" ] && break; sleep 0.05; done
		SESSIOND_PID=$(cat "$WORK/sessiond.pid") || die "lttng-sessiond wrote no pid"
	fi
}

# start_session DIR [CHANNEL-OPTIONS...]: lossless unless options say otherwise.
start_session() {
	local dir=$1; shift
	SESSION=bgcopy-e2e-$BASHPID-$RANDOM
	lttng create "$SESSION" --output="$dir" >/dev/null || die "lttng create"
	lttng enable-channel -u -s "$SESSION" bgc ${@:---blocking-timeout=inf} >/dev/null ||
		die "lttng enable-channel"
	lttng enable-event -u -s "$SESSION" -c bgc 'bgcopy:*' >/dev/null || die "enable-event"
	lttng add-context -u -s "$SESSION" -c bgc -t vpid -t vtid >/dev/null || die "add-context"
	# TRACK_VPID: record that process alone, not every process of the machine.
	if [ -n "${TRACK_VPID:-}" ]; then
		lttng track -u -s "$SESSION" --vpid="$TRACK_VPID" >/dev/null || die "lttng track"
	fi
	lttng start "$SESSION" >/dev/null || die "lttng start"
}

stop_session() {
	lttng stop "$SESSION" >/dev/null && lttng destroy "$SESSION" >/dev/null
	SESSION=
}

# traced CMD...: runs a command with the provider loaded, lossless.
traced() { BGCOPY_TRACE=1 LTTNG_UST_ALLOW_BLOCKING=1 "$@"; }

# expect_exit CODE CMD...: CMD exits CODE; its output in $WORK/last.out and .err.
expect_exit() {
	local want=$1; shift
	"$@" > "$WORK/last.out" 2> "$WORK/last.err"
	local got=$?
	[ "$got" = "$want" ] || die "'$*' exited $got, expected $want: $(cat "$WORK/last.err")"
}

make_file() { head -c "$2" /dev/urandom > "$WORK/www/$1"; }

# A free TCP port on 127.0.0.1 (the kernel's pick).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# stop_store_daemon STORE: the bgcopyd serving STORE, if one does (the
# first line of its lock file), stopped and waited for.
stop_store_daemon() {
	local pid
	[ -S "$1/bgcopyd.bus" ] || return 0
	pid=$(head -n 1 "$1/lock" 2>/dev/null)
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait_gone "$pid"
}

# start_nginx SERVER_BLOCKS: Debian's nginx (the script checked $NGINX)
# with these server blocks, its files in $WORK/nginx; sets NGINX_PID,
# which the script's EXIT trap stops.
start_nginx() {
	mkdir -p "$WORK/nginx/logs"
	cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon on;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $WORK/nginx/body;
	proxy_temp_path $WORK/nginx/proxy;
	fastcgi_temp_path $WORK/nginx/fastcgi;
	uwsgi_temp_path $WORK/nginx/uwsgi;
	scgi_temp_path $WORK/nginx/scgi;
$1
}
CONF
	"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/logs/error.log" ||
		die "nginx did not start: $(cat "$WORK/nginx/logs/error.log")"
	for _ in $(seq 100); do [ -s "$WORK/nginx/nginx.pid" ] && break; sleep 0.05; done
	NGINX_PID=$(cat "$WORK/nginx/nginx.pid")
}

# bgcopy download --list through a bgcopyd of 16 connections: 5,000
# files of 16 KiB from nginx in 25 jobs that end close together.  A job
# is committed as soon as it is transferred while the wait shows
# another; the job the wait shows is left to that wait, which would
# otherwise find it completed "by another program" and fail the
# download.  A race: before the fix one run in six failed here, two in
# four of the benchmark's (peers.sh), none of eight against testd.
# Every file arrives whole, and no job is left.  A list refused at a late
# line fetches nothing: every job is made, and every line checked, first.
. "$(dirname "$0")/lib.sh"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "nginx not installed"; exit 77; }
export BGCOPY_EMBEDDED=0 XDG_RUNTIME_DIR=	# the daemon's socket in the store
NGINX_PID=
stop_all() {
	stop_store_daemon "$WORK/store"
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null
	cleanup
}
trap stop_all EXIT

PORT=$(free_port)
mkdir -p "$WORK/www/s" "$WORK/out"
chmod 0755 "$WORK" "$WORK/www" "$WORK/www/s"	# nginx's workers are not root
# 16 KiB each, as the benchmark's: smaller ones end too soon to meet.
head -c $((5000 * 16384)) /dev/urandom | (cd "$WORK/www/s" && split -b 16384 -a 4 -d - f)
for ((i = 0; i < 5000; i++)); do
	printf -v name 'f%04d' "$i"
	printf 'http://127.0.0.1:%s/s/%s %s/out/%s\n' "$PORT" "$name" "$WORK" "$name"
done > "$WORK/list"
chmod -R a+rX "$WORK/www"
start_nginx "	server { listen 127.0.0.1:$PORT; root $WORK/www;
		 access_log $WORK/nginx/logs/access.log; }"
# In the background, it returns once it serves.
"$B/bin/bgcopyd" --store "$WORK/store" --socket "$WORK/store/bgcopyd.bus" \
	--max-connections 16 --max-per-host 16 2> "$WORK/daemon.err" ||
	die "bgcopyd did not start: $(cat "$WORK/daemon.err")"

# Line 350, in the second job, names a directory that is not there.
head -n 400 "$WORK/list" | sed "350s| [^ ]*\$| $WORK/missing/f0349|" > "$WORK/late.list"
"$BGCOPY" --store "$WORK/store" download --list "$WORK/late.list" 2> "$WORK/err" &&
	die "a list with a missing directory was downloaded"
grep -q "late.list line 350: .*missing" "$WORK/err" ||
	die "the refused line is not named: $(cat "$WORK/err")"
# nginx logs a request when it ends, one cut short once it sees the close.
for _ in $(seq 10); do [ -s "$WORK/nginx/logs/access.log" ] && break; sleep 0.05; done
[ ! -s "$WORK/nginx/logs/access.log" ] ||
	die "$(wc -l < "$WORK/nginx/logs/access.log") files fetched before the list was refused"
[ -z "$(ls -A "$WORK/out")" ] || die "files left by the refused list: $(ls -A "$WORK/out" | head)"

"$BGCOPY" --store "$WORK/store" download --list "$WORK/list" 2> "$WORK/err" ||
	die "download --list failed: $(cat "$WORK/err")"
grep -q "5000 files in 25 jobs" "$WORK/err" || die "no word of the split: $(cat "$WORK/err")"
[ "$(cd "$WORK/www/s" && cat f* | sha256sum)" = "$(cd "$WORK/out" && cat f* | sha256sum)" ] ||
	die "the files differ"
[ "$(ls -A "$WORK/out" | wc -l)" = 5000 ] ||
	die "not 5,000 files: $(ls -A "$WORK/out" | grep -v '^f[0-9]*$' | head)"
[ -z "$("$BGCOPY" --store "$WORK/store" list)" ] ||
	die "jobs left: $("$BGCOPY" --store "$WORK/store" list)"
echo "bgcopyd_download_list: ok"

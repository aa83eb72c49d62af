# A job's credentials: Basic against nginx's auth_basic, Digest against
# testd; wrong or missing ones end in ERROR with HTTP 401; they survive a
# restart (every bgcopy run reopens the store); a URL's user info becomes
# the job's credentials; none is sent to a host a redirect leads to; no
# password reaches the trace, info, list or a report.
. "$(dirname "$0")/lib.sh"

NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "nginx not installed"; exit 77; }
NGINX_PID=
stop_all() { [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null; cleanup; }
trap stop_all EXIT

PW=basic-pw-4411
start_server
start_sessiond
make_file s.bin 40000
# testd's Digest nonce depends on the URI and the second: each digest job
# asks for its own file, or one would replay the other's nonce.
cp "$WORK/www/s.bin" "$WORK/www/s2.bin"
mkdir -p "$WORK/out" "$WORK/nginx/logs" "$WORK/www/digest"
chmod -R a+rX "$WORK"
printf 'bob:{PLAIN}%s\n' "$PW" > "$WORK/nginx/htpasswd"
NPORT=$(free_port)
start_nginx "	server {
		listen 127.0.0.1:$NPORT;
		root $WORK/www;
		auth_basic \"bgcopy\";
		auth_basic_user_file $WORK/nginx/htpasswd;
	}"

analyze() { LD_PRELOAD=$BT_PRELOAD "$ANALYZE" "$@"; }
bg() { traced "$BGCOPY" --store "$WORK/store" "$@"; }
new_job() {	# NAME URL FILE
	local job
	job=$(bg create "$1") || die "create $1"
	bg add "$job" "$2" "$WORK/out/$3" || die "add $1"
	echo "$job"
}
printf '%s\n' "$PW" > "$WORK/pw"
printf 'wrong-pw-0000\n' > "$WORK/bad"

start_session "$WORK/trace"
right=$(new_job right "http://127.0.0.1:$NPORT/s.bin" right.bin)
bg set-credentials "$right" --user bob --scheme basic --password-file "$WORK/pw" ||
	die "set-credentials"
wrong=$(new_job wrong "http://127.0.0.1:$NPORT/s.bin" wrong.bin)
bg set-credentials "$wrong" --user bob --scheme basic --password-file "$WORK/bad" ||
	die "set-credentials (wrong)"
none=$(new_job none "http://127.0.0.1:$NPORT/s.bin" none.bin)
# testd redirects to nginx, another port: the credentials stay behind.
hop=$(new_job hop "http://127.0.0.1:$PORT/fault/redirect-http:$NPORT/s.bin" hop.bin)
bg set-credentials "$hop" --user bob --scheme basic --password-file "$WORK/pw" ||
	die "set-credentials (hop)"
inurl=$(new_job inurl "http://bob:$PW@127.0.0.1:$NPORT/s.bin" inurl.bin)
digest=$(new_job digest "http://127.0.0.1:$PORT/digest/s.bin" digest.bin)
# From stdin, as a prompt would read it.
printf 'digest-pw-5309\n' | bg set-credentials "$digest" --user alice --scheme digest ||
	die "set-credentials from stdin"
anydigest=$(new_job anydigest "http://127.0.0.1:$PORT/digest/s2.bin" any.bin)
printf 'digest-pw-5309\n' | bg set-credentials "$anydigest" --user alice ||
	die "set-credentials (any)"

bg info "$right" | grep -q "credentials basic" || die "info does not name the scheme"
bg info "$inurl" --json > "$WORK/inurl.json"
grep -q '"credentials": "any"' "$WORK/inurl.json" || die "URL user info is not the job's credentials"
grep -q "\"url\": \"http://127.0.0.1:$NPORT/s.bin\"" "$WORK/inurl.json" || die "URL kept its user info"

for job in "$right" "$wrong" "$none" "$hop" "$inurl" "$digest" "$anydigest"; do
	bg resume "$job" || die "resume"
done
for job in "$right" "$inurl" "$digest" "$anydigest"; do
	bg wait "$job" || { bg info "$job" >&2; die "job $job did not transfer"; }
done
for job in "$wrong" "$none" "$hop"; do
	rc=0; bg wait "$job" || rc=$?
	[ "$rc" = 1 ] || die "job $job: wait exit $rc, not 1 (ERROR)"
	bg info "$job" --json > "$WORK/err.json"
	grep -q '"http_status": 401' "$WORK/err.json" || die "job $job: no HTTP 401 in its error"
done
bg list --json > "$WORK/list.json" || die "list"
bg info "$wrong" > "$WORK/info.txt"
for job in "$right" "$inurl" "$digest" "$anydigest"; do
	bg complete "$job" > /dev/null || die "complete"
done
for f in right inurl digest any; do
	cmp -s "$WORK/www/s.bin" "$WORK/out/$f.bin" || die "$f.bin differs"
done
bg set-credentials "$none" --user bob --password-file "$WORK/pw" || die "set on ERROR job"
bg set-credentials "$none" --clear || die "--clear"
bg info "$none" | grep -q "credentials none" || die "--clear left credentials"
expect_cli_refusal() { rc=0; bg "$@" 2>/dev/null || rc=$?; [ "$rc" = 2 ] || die "$* exit $rc"; }
expect_cli_refusal set-credentials "$none" --user bob --password "$PW"
expect_cli_refusal set-credentials "$none"
stop_session

bt "$WORK/trace" > "$WORK/trace.txt" || die "trace unreadable"
grep -q '( "CREDENTIALS" : container = 10 ), value = "basic"' "$WORK/trace.txt" ||
	die "the trace does not say credentials were set"
analyze --format json "$WORK/trace" > "$WORK/report.json" 2>/dev/null
analyze --timeline "$WORK/trace" > "$WORK/timeline.txt" 2>/dev/null
[ -s "$WORK/report.json" ] && [ -s "$WORK/timeline.txt" ] || die "no report to search"
[ "$(stat -c %a "$WORK/store/jobs.db")" = 600 ] || die "the store is not its owner's only"
for secret in "$PW" wrong-pw-0000 digest-pw-5309; do
	if grep -rqF -e "$secret" "$WORK/trace" "$WORK/trace.txt" "$WORK/list.json" \
		"$WORK/inurl.json" "$WORK/err.json" "$WORK/info.txt" "$WORK/report.json" \
		"$WORK/timeline.txt"; then
		die "$secret was shown"
	fi
done
echo "credentials: basic, digest, any, wrong, none, from the URL; no password shown"

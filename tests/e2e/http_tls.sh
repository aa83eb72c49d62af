# A job's TLS (BITS' SetClientCertificate, SetSecurityFlags) against nginx
# on 127.0.0.1 with certificates made here by openssl: a CA, a server
# certificate, one with the wrong name, one revoked in the CA's CRL, and a
# client certificate.  The job's CA file makes the server trusted (without
# it: ERROR, context TLS); a server that requires a client certificate
# serves the job that has one and refuses the one without (HTTP 400); a
# revoked server is an ERROR once the job checks revocation; the flag
# ignore-cn-invalid accepts the wrong name and info shows it; what libcurl
# cannot honour, a key others can read, and revocation without a CRL are
# refused, and a key that others can read by the time of the transfer
# stops it.  Stored (every bgcopy run reopens the store; through bgcopyd,
# across a daemon restart); the key's bytes are in no trace, info or list.
. "$(dirname "$0")/lib.sh"

NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "nginx not installed"; exit 77; }
command -v openssl >/dev/null || { echo "openssl not installed"; exit 77; }
NGINX_PID=
DSTORE=$WORK/dstore
stop_daemon() { stop_store_daemon "$DSTORE"; }
stop_all() { stop_daemon; [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null; cleanup; }
trap stop_all EXIT

# ---- certificates ----
mkdir -p "$WORK/www" "$WORK/out" "$WORK/nginx/logs"
. "$(dirname "$0")/tls_lib.bash"
issue server 4097 /CN=127.0.0.1 "subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth"
issue wrongcn 4098 /CN=wrong.example "subjectAltName=DNS:wrong.example
extendedKeyUsage=serverAuth"
issue revoked 4099 /CN=127.0.0.1 "subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth"
issue client 4100 /CN=bgcopy-client "extendedKeyUsage=clientAuth"
ssl ca -config "$T/ca.cnf" -revoke "$T/revoked.pem"
ssl ca -config "$T/ca.cnf" -gencrl -out "$T/crl.pem"

# ---- nginx: one server a certificate, one asking for a client's ----
make_file f.bin 30000
chmod -R a+rX "$WORK"
GOOD=$(free_port) CLIENT=$(free_port) WRONG=$(free_port) REVOKED=$(free_port)
start_nginx "$(server "$GOOD" server)
$(server "$CLIENT" server "		ssl_client_certificate $T/ca.pem;
		ssl_verify_client on;
")
$(server "$WRONG" wrongcn)
$(server "$REVOKED" revoked)"
chmod 600 "$T/client.key"
cp "$T/client.key" "$T/open.key" && chmod 644 "$T/open.key"
cp -p "$T/client.key" "$T/later.key"
cat "$T/client.pem" "$T/client.key" > "$T/both.pem" && chmod 644 "$T/both.pem"

# ---- jobs ----
bg() { traced "$BGCOPY" --store "$WORK/store" "$@"; }
new_job() {	# NAME PORT
	local job
	job=$(bg create "$1") || die "create $1"
	bg add "$job" "https://127.0.0.1:$2/f.bin" "$WORK/out/$1.bin" || die "add $1"
	echo "$job"
}
# error_is JOB CONTEXT TEXT: the job ended in ERROR with that context.
error_is() {
	local rc=0
	bg wait "$1" 2>/dev/null || rc=$?
	[ "$rc" = 1 ] || die "job $1: wait exit $rc, not 1 (ERROR)"
	bg info "$1" --json > "$WORK/err.json"
	grep -q "\"context\": $2," "$WORK/err.json" && grep -qF "$3" "$WORK/err.json" ||
		die "job $1: not error context $2 with '$3': $(cat "$WORK/err.json")"
}
refused() { expect_exit 2 bg "$@"; }

start_sessiond
start_session "$WORK/trace"
trusted=$(new_job trusted "$GOOD")
bg set-ca-file "$trusted" "$T/ca.pem" || die "set-ca-file"
untrusted=$(new_job untrusted "$GOOD")
withcert=$(new_job withcert "$CLIENT")
bg set-ca-file "$withcert" "$T/ca.pem" || die "set-ca-file (client)"
refused set-client-cert "$withcert" --cert "$T/client.pem" --key "$T/open.key"
grep -q "chmod 600" "$WORK/last.err" || die "a key others can read: $(cat "$WORK/last.err")"
refused set-client-cert "$withcert" --cert "$T/missing.pem"
bg set-client-cert "$withcert" --cert "$T/client.pem" --key "$T/client.key" ||
	die "set-client-cert"
# A certificate's file that holds its key is a key file.
refused set-client-cert "$withcert" --cert "$T/both.pem"
grep -q "client certificate and key" "$WORK/last.err" || die "both.pem: $(cat "$WORK/last.err")"
# A key others can read by the time the job transfers: no request with it.
exposed=$(new_job exposed "$CLIENT")
bg set-ca-file "$exposed" "$T/ca.pem" || die "set-ca-file (exposed)"
bg set-client-cert "$exposed" --cert "$T/client.pem" --key "$T/later.key" ||
	die "set-client-cert (exposed)"
chmod 640 "$T/later.key"
nocert=$(new_job nocert "$CLIENT")
bg set-ca-file "$nocert" "$T/ca.pem" || die "set-ca-file (no cert)"
checked=$(new_job checked "$REVOKED")
bg set-ca-file "$checked" "$T/ca.pem" || die "set-ca-file (revoked)"
refused set-security-flags "$checked" check-revocation
grep -q "CRL file" "$WORK/last.err" || die "revocation without a CRL: $(cat "$WORK/last.err")"
bg set-crl-file "$checked" "$T/crl.pem" || die "set-crl-file"
bg set-security-flags "$checked" check-revocation || die "set-security-flags check-revocation"
refused set-crl-file "$checked" --clear
unchecked=$(new_job unchecked "$REVOKED")
bg set-ca-file "$unchecked" "$T/ca.pem" || die "set-ca-file (unchecked)"
anyname=$(new_job anyname "$WRONG")
bg set-ca-file "$anyname" "$T/ca.pem" || die "set-ca-file (wrong name)"
for flag in ignore-unknown-ca ignore-date-invalid 0x10 0x20000; do
	refused set-security-flags "$anyname" "$flag"
done
grep -q "unknown security flags" "$WORK/last.err" || die "0x20000: $(cat "$WORK/last.err")"
bg set-security-flags "$anyname" ignore-cn-invalid,redirect-disallow ||
	die "set-security-flags ignore-cn-invalid"
strictname=$(new_job strictname "$WRONG")
bg set-ca-file "$strictname" "$T/ca.pem" || die "set-ca-file (strict name)"

# Stored: this bgcopy run reopened the store.
bg info "$anyname" > "$WORK/info.txt"
grep -q "security flags 0x202 (ignore-cn-invalid,redirect-disallow)" "$WORK/info.txt" &&
	grep -q "redirects disallow" "$WORK/info.txt" && grep -qF "CA file '$T/ca.pem'" "$WORK/info.txt" ||
	die "info does not show the TLS settings: $(cat "$WORK/info.txt")"
bg info "$withcert" --json > "$WORK/withcert.json"
grep -qF "\"client_certificate\": \"$T/client.pem\"" "$WORK/withcert.json" &&
	grep -qF "\"client_key\": \"$T/client.key\"" "$WORK/withcert.json" ||
	die "info does not show the client certificate: $(cat "$WORK/withcert.json")"

for job in "$trusted" "$untrusted" "$withcert" "$exposed" "$nocert" "$checked" "$unchecked" \
	"$anyname" "$strictname"; do
	bg resume "$job" || die "resume"
done
for job in "$trusted" "$withcert" "$unchecked" "$anyname"; do
	bg wait "$job" > /dev/null || { bg info "$job" >&2; die "job $job did not transfer"; }
done
error_is "$untrusted" 7 "TLS handshake failed"
error_is "$checked" 7 "TLS handshake failed"
error_is "$strictname" 7 "TLS handshake failed"
error_is "$nocert" 2 '"http_status": 400'
error_is "$exposed" 7 "later.key' can be read or written by other users (mode 0640)"
bg list --json > "$WORK/list.json" || die "list"
for job in "$trusted" "$withcert" "$unchecked" "$anyname"; do
	bg complete "$job" > /dev/null || die "complete"
done
for f in trusted withcert unchecked anyname; do
	cmp -s "$WORK/www/f.bin" "$WORK/out/$f.bin" || die "$f.bin differs"
done
stop_session

bt "$WORK/trace" > "$WORK/trace.txt" || die "trace unreadable"
grep -qF "( \"CLIENT_CERTIFICATE\" : container = 18 ), value = \"$T/client.pem\"" "$WORK/trace.txt" &&
	grep -qF "( \"CA_FILE\" : container = 19 ), value = \"$T/ca.pem\"" "$WORK/trace.txt" &&
	grep -qF "( \"CRL_FILE\" : container = 20 ), value = \"$T/crl.pem\"" "$WORK/trace.txt" &&
	grep -qF '( "SECURITY_FLAGS" : container = 21 ), value = "ignore-cn-invalid"' "$WORK/trace.txt" &&
	grep -qF 'error_context = ( "TLS" : container = 7 )' "$WORK/trace.txt" ||
	die "the trace does not show the TLS settings and errors"

# Through bgcopyd: the settings travel to the daemon, survive its
# restart, and its transfer presents the client certificate.
export BGCOPY_EMBEDDED=0 BGCOPYD_IDLE_EXIT=60 XDG_RUNTIME_DIR=
d() { "$BGCOPY" --store "$DSTORE" "$@"; }
djob=$(d create daemon) && d add "$djob" "https://127.0.0.1:$CLIENT/f.bin" "$WORK/out/daemon.bin" ||
	die "create through the daemon"
d set-ca-file "$djob" "$T/ca.pem" && d set-crl-file "$djob" "$T/crl.pem" &&
	d set-client-cert "$djob" --cert "$T/client.pem" --key "$T/client.key" &&
	d set-security-flags "$djob" check-revocation || die "TLS settings through the daemon"
expect_exit 2 d set-client-cert "$djob" --cert "$T/client.pem" --key "$T/open.key"
stop_daemon
d info "$djob" --json > "$WORK/daemon.json"
grep -qF "\"client_key\": \"$T/client.key\"" "$WORK/daemon.json" &&
	grep -qF "\"crl_file\": \"$T/crl.pem\"" "$WORK/daemon.json" &&
	grep -q '"security_flag_names": "check-revocation"' "$WORK/daemon.json" ||
	die "the TLS settings did not survive the daemon's restart: $(cat "$WORK/daemon.json")"
d resume "$djob" && d wait "$djob" > /dev/null ||
	{ d info "$djob" >&2; die "the daemon's job did not transfer"; }
d complete "$djob" > /dev/null || die "complete through the daemon"
cmp -s "$WORK/www/f.bin" "$WORK/out/daemon.bin" || die "daemon.bin differs"
stop_daemon

# The private key's bytes are nowhere but in its file.
key_line=$(sed -n 2p "$T/client.key")
if grep -rqF -e "$key_line" "$WORK/trace" "$WORK/trace.txt" "$WORK/info.txt" \
	"$WORK/withcert.json" "$WORK/list.json" "$WORK/daemon.json" "$WORK/store" "$DSTORE"; then
	die "the private key was shown or stored"
fi
echo "tls: CA file, client certificate, revocation, ignore-cn-invalid, refusals, through bgcopyd"

# bgcopyd --system reads a job's TLS files as the job's owner, as BITS
# impersonates the owner for every file, against nginx on 127.0.0.1 that
# requires a client certificate and logs whose it got: nobody sets its own
# client certificate, key, CA and CRL files and its job presents nobody's
# certificate; files only root may read are refused when nobody sets them,
# naming the path and why; put in place of nobody's files after they were
# set, or reached through links nobody repoints to root's certificate and
# key, they put the job in ERROR, context TLS, before any request, and
# root's certificate is never presented for nobody; a job with another CA
# file after a trusted one is not trusted; root still sets its own jobs'
# files, read as root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bgcopyd_lib.bash"
needs_root_and_nobody
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "nginx not installed"; exit 77; }
command -v openssl >/dev/null || { echo "openssl not installed"; exit 77; }
use_system_socket
NGINX_PID=
trap '[ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null && wait_gone "$DAEMON_PID"
      [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null; cleanup' EXIT

# ---- certificates: nobody's client, root's client, another CA ----
mkdir -p "$WORK/www" "$WORK/nginx/logs"
. "$(dirname "$0")/tls_lib.bash"
issue server 4097 /CN=127.0.0.1 "subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth"
issue client 4100 /CN=nobody-client "extendedKeyUsage=clientAuth"
issue rootclient 4101 /CN=root-client "extendedKeyUsage=clientAuth"
ssl ca -config "$T/ca.cnf" -gencrl -out "$T/crl.pem"
ssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
	-subj "/CN=another CA" -keyout "$T/other-ca.key" -out "$T/other-ca.pem"
make_file f.bin 30000
chmod -R a+rX "$WORK"
# Root's alone, in a directory anyone may read.
cp "$T/ca.pem" "$T/root-ca.pem" && cp "$T/crl.pem" "$T/root-crl.pem" ||
	die "cannot copy root's files"
chmod 600 "$T/rootclient.pem" "$T/rootclient.key" "$T/root-ca.pem" "$T/root-crl.pem"
install -d -o nobody -g "$(id -g nobody)" -m 0700 "$WORK/n"	# nobody's alone
# nobody_files DIR: nobody's own copies of its certificate, key, the CA
# and the CRL in DIR, the key mode 0600.
nobody_files() {
	as_nobody mkdir "$1" && as_nobody cp "$T/client.pem" "$T/ca.pem" "$T/crl.pem" "$1/" &&
		as_nobody install -m 0600 "$T/client.key" "$1/client.key" ||
		die "cannot make nobody's files in $1"
}

PORT=$(free_port)
start_nginx "	log_format subjects '\$ssl_client_s_dn';
$(server "$PORT" server "		ssl_client_certificate $T/ca.pem;
		ssl_verify_client on;
		access_log $WORK/nginx/logs/subjects.log subjects;
")"
URL=https://127.0.0.1:$PORT/f.bin
start_system_daemon

# new_job NAME: a job of nobody's fetching f.bin into nobody's directory.
new_job() {
	local j
	j=$(nmanager CreateJob s "$1" | path_of)
	njob "$j" AddFile ss "$URL" "$WORK/n/$1.bin" >/dev/null || die "AddFile $1"
	echo "$j"
}
# set_files JOB CERT KEY CA CRL: nobody sets them and checks revocation.
set_files() {
	njob "$1" SetCaFile s "$4" && njob "$1" SetCrlFile s "$5" &&
		njob "$1" SetSecurityFlags u 1 && njob "$1" SetClientCertificate ss "$2" "$3" ||
		die "nobody could not set the TLS files of its job: $(cat "$WORK/daemon.err")"
}
# error_is JOB TEXT: in ERROR with context TLS (7) and TEXT in its description.
error_is() {
	local detail
	wait_state "$1" ERROR
	detail=$(prop "$1" ErrorDetail | sed "s/\\\\'/'/g")	# busctl prints ' as \'
	[[ $detail == "(biiiiis) true 7 "* ]] && grep -qF -- "$2" <<<"$detail" ||
		die "job $1: not a TLS error with '$2': $detail"
}
# refused_set TEXT METHOD SIGNATURE ARGS...: nobody's call is refused,
# the message naming the file and why.
refused_set() {
	local want=$1 out; shift
	out=$(njob "$J" "$@" 2>&1) && die "nobody set $*"
	grep -qF -- "$want" <<<"$out" || die "$*: '$out' does not say: $want"
	expect_error org.bgcopy1.Error.InvalidArgument njob "$J" "$@"
}
presented() { grep -c "CN=$1" "$WORK/nginx/logs/subjects.log" 2>/dev/null; }

# (a) Nobody's own files: the job presents nobody's certificate, and the
# file is nobody's.
nobody_files "$WORK/n/a"
J=$(new_job a)
set_files "$J" "$WORK/n/a/client.pem" "$WORK/n/a/client.key" "$WORK/n/a/ca.pem" "$WORK/n/a/crl.pem"
njob "$J" Resume || die "Resume"
wait_state "$J" TRANSFERRED
njob "$J" Complete || die "Complete"
cmp -s "$WORK/www/f.bin" "$WORK/n/a.bin" || die "nobody's a.bin differs"
[ "$(stat -c %U "$WORK/n/a.bin")" = nobody ] || die "a.bin belongs to $(stat -c %U "$WORK/n/a.bin")"
[ "$(presented nobody-client)" = 1 ] || die "nginx did not see nobody's certificate once"

# A job of another CA file right after a trusted one is not trusted:
# libcurl keeps a CA store by its file's name (when no CRL is set), and
# the name of a descriptor comes back with its number.
nobody_files "$WORK/n/b"
as_nobody cp "$T/other-ca.pem" "$WORK/n/b/"
# b_job CA: a job of nobody's with its certificate and CA file b/CA.pem, resumed.
b_job() {
	J=$(new_job "b-$1")
	njob "$J" SetCaFile s "$WORK/n/b/$1.pem" &&
		njob "$J" SetClientCertificate ss "$WORK/n/b/client.pem" "$WORK/n/b/client.key" &&
		njob "$J" Resume || die "nobody's job with $1.pem"
}
b_job ca
wait_state "$J" TRANSFERRED
b_job other-ca
error_is "$J" "TLS handshake failed"
[ "$(presented nobody-client)" = 2 ] || die "nginx did not see nobody's certificate twice"

# (b) Files only root may read are refused when nobody sets them.
J=$(new_job refused)
denied="': Permission denied"
refused_set "cannot read the client certificate '$T/rootclient.pem$denied" \
	SetClientCertificate ss "$T/rootclient.pem" "$T/rootclient.key"
refused_set "cannot read the private key '$T/rootclient.key$denied" \
	SetClientCertificate ss "$T/client.pem" "$T/rootclient.key"
refused_set "cannot read the CA file '$T/root-ca.pem$denied" SetCaFile s "$T/root-ca.pem"
refused_set "cannot read the CRL file '$T/root-crl.pem$denied" SetCrlFile s "$T/root-crl.pem"
[ "$(prop "$J" ClientCertificate)" = 's ""' ] && [ "$(prop "$J" CaFile)" = 's ""' ] &&
	[ "$(prop "$J" CrlFile)" = 's ""' ] || die "a refused file was set"
njob "$J" Cancel || die "Cancel"

# ... and, put in place of nobody's after they were set, fail the job.
for late in client.key:rootclient.key:"private key" ca.pem:root-ca.pem:"CA file" \
	crl.pem:root-crl.pem:"CRL file"; do
	IFS=: read -r name roots what <<<"$late"
	dir=$WORK/n/late-${name%.*}
	nobody_files "$dir"
	J=$(new_job "late-${name%.*}")
	set_files "$J" "$dir/client.pem" "$dir/client.key" "$dir/ca.pem" "$dir/crl.pem"
	install -o root -g root -m 0600 "$T/$roots" "$dir/$name" || die "cannot put root's $roots in $dir"
	njob "$J" Resume || die "Resume"
	error_is "$J" "cannot read the $what '$dir/$name$denied"
done

# (c) Links nobody planted to its own files are followed; repointed to
# root's certificate and key, they lead nowhere nobody may not read.
nobody_files "$WORK/n/c"
as_nobody ln -s "$WORK/n/c/client.pem" "$WORK/n/c/cert-link" &&
	as_nobody ln -s "$WORK/n/c/client.key" "$WORK/n/c/key-link" || die "ln"
J=$(new_job c)
set_files "$J" "$WORK/n/c/cert-link" "$WORK/n/c/key-link" "$WORK/n/c/ca.pem" "$WORK/n/c/crl.pem"
as_nobody ln -sfn "$T/rootclient.pem" "$WORK/n/c/cert-link" &&
	as_nobody ln -sfn "$T/rootclient.key" "$WORK/n/c/key-link" || die "ln -sfn"
njob "$J" Resume || die "Resume"
error_is "$J" "cannot read the client certificate '$WORK/n/c/cert-link$denied"
[ "$(presented root-client)" = 0 ] || die "root's certificate was presented for nobody"
[ "$(presented nobody-client)" = 2 ] || die "a refused job made a request"

# (d) Root sets its own job's files, root's alone, and they are read as root.
J=$(manager CreateJob s root-job | path_of)
on_job "$J" AddFile ss "$URL" "$WORK/root.bin" && on_job "$J" SetCaFile s "$T/root-ca.pem" &&
	on_job "$J" SetClientCertificate ss "$T/rootclient.pem" "$T/rootclient.key" &&
	on_job "$J" Resume || die "root's job"
wait_state "$J" TRANSFERRED
on_job "$J" Complete || die "root's Complete"
cmp -s "$WORK/www/f.bin" "$WORK/root.bin" || die "root.bin differs"
[ "$(presented root-client)" = 1 ] || die "nginx did not see root's certificate once"

stop_system_daemon
[ -s "$WORK/daemon.err" ] && die "bgcopyd complained: $(cat "$WORK/daemon.err")"
echo "bgcopyd_system_tls: ok"

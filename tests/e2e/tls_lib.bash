# Shared by the TLS scripts after lib.sh: a CA made by openssl in $T
# (ca.pem, ca.key, its database for ca.cnf), certificates it signs, and
# an nginx server block with a certificate of $T.
T=$WORK/tls
mkdir -p "$T/db"
: > "$T/db/index.txt"
echo 1000 > "$T/db/crlnumber"
cat > "$T/ca.cnf" <<CNF
[ ca ]
default_ca = test_ca
[ test_ca ]
database = $T/db/index.txt
crlnumber = $T/db/crlnumber
certificate = $T/ca.pem
private_key = $T/ca.key
default_md = sha256
default_crl_days = 30
CNF
ssl() { openssl "$@" 2>>"$T/openssl.log" || die "openssl $1 failed: $(tail -n 5 "$T/openssl.log")"; }
ssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
	-subj "/CN=bgcopy test CA" -keyout "$T/ca.key" -out "$T/ca.pem" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
# issue NAME SERIAL SUBJECT EXTENSIONS: NAME.pem and NAME.key, signed by the CA.
issue() {
	ssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "$3" \
		-keyout "$T/$1.key" -out "$T/$1.csr"
	printf '%s\n' "$4" > "$T/$1.ext"
	ssl x509 -req -in "$T/$1.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -set_serial "$2" \
		-days 30 -extfile "$T/$1.ext" -out "$T/$1.pem"
}
# server PORT CERT [EXTRA]: a server block serving $WORK/www on
# 127.0.0.1:PORT with $T/CERT.pem and its key, and EXTRA directives.
server() {
	printf '\tserver {\n\t\tlisten 127.0.0.1:%s ssl;\n\t\troot %s;\n' "$1" "$WORK/www"
	printf '\t\tssl_certificate %s.pem;\n\t\tssl_certificate_key %s.key;\n%s\t}\n' \
		"$T/$2" "$T/$2" "${3:-}"
}

# bgcopy and libbgcopy never link LTTng, and a download works with the
# provider moved away, even when tracing is asked for.
. "$(dirname "$0")/lib.sh"

for f in "$BGCOPY" "$B/lib/libbgcopy.so.1"; do
	if ldd "$f" | grep -q lttng; then die "$f links LTTng: $(ldd "$f" | grep lttng)"; fi
done
ldd "$B/lib/libbgcopy-tp.so" | grep -q liblttng-ust || die "the provider does not link lttng-ust"

mkdir -p "$WORK/bin" "$WORK/lib" "$WORK/out"
cp "$BGCOPY" "$WORK/bin/"
cp "$B/lib/libbgcopy.so.1" "$WORK/lib/"	# no libbgcopy-tp.so beside it
# The provider of a bgcopy installed on this machine (install_system.sh
# of a make check running beside this one) would be found by dlopen:
# hidden from the download, in a mount namespace of its own.
without_installed() {
	if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
		unshare -m --propagation private sh -c \
			'mount -t tmpfs tmpfs /usr/local/lib && exec "$@"' hide "$@"
	else
		"$@"
	fi
}
start_server
make_file b.bin 100000
BGCOPY_TRACE=1 without_installed "$WORK/bin/bgcopy" --store "$WORK/store" download \
	"http://127.0.0.1:$PORT/b.bin" "$WORK/out/b.bin" 2> "$WORK/err" ||
	die "download without the provider failed: $(cat "$WORK/err")"
cmp "$WORK/www/b.bin" "$WORK/out/b.bin" || die "file differs"
grep -q "libbgcopy-tp.so" "$WORK/err" || die "no warning that the provider is missing"
# Without BGCOPY_TRACE nothing is said and no LTTng library is mapped.
"$WORK/bin/bgcopy" --store "$WORK/store" download "http://127.0.0.1:$PORT/b.bin" \
	"$WORK/out/c.bin" 2> "$WORK/err2" || die "plain download failed"
[ ! -s "$WORK/err2" ] || die "unexpected output: $(cat "$WORK/err2")"
echo "no LTTng dependency"

# Nor is the provider looked for: a process that does not trace asks the
# file system nothing about it (dlopen of its bare name, even to see
# whether it is loaded, opened every directory of the library path).
# file_calls NAME: downloads b.bin to out/NAME, its file calls in calls.NAME.
file_calls() {
	strace -f -qq -e trace=%file -o "$WORK/calls.$1" \
		"$BGCOPY" --store "$WORK/store3" download "http://127.0.0.1:$PORT/b.bin" \
		"$WORK/out/$1" || die "download of $1 under strace failed"
	cmp -s "$WORK/www/b.bin" "$WORK/out/$1" || die "$1 differs"
}
file_calls d.bin
grep -q "libbgcopy.so" "$WORK/calls.d.bin" || die "strace saw no library loaded: the check saw nothing"
if grep -q "libbgcopy-tp" "$WORK/calls.d.bin"; then
	die "the provider was looked for without BGCOPY_TRACE: $(grep -c libbgcopy-tp "$WORK/calls.d.bin") calls"
fi
# ...and when tracing is asked for, found beside the library.
BGCOPY_TRACE=1 file_calls e.bin
grep -q "libbgcopy-tp.so" "$WORK/calls.e.bin" || die "BGCOPY_TRACE=1 did not load the provider"
echo "the provider is not looked for unless wanted"

# Even with the provider beside the library, no LTTng library is mapped
# unless tracing is asked for.
make_file slow.bin 300000
"$BGCOPY" --store "$WORK/store2" download "http://127.0.0.1:$PORT/fault/slow:200000/slow.bin" \
	"$WORK/out/slow.bin" &
pid=$!
sleep 0.5
maps=$(cat "/proc/$pid/maps" 2>/dev/null) || die "bgcopy ended too soon to inspect"
wait "$pid" || die "slow download failed"
if grep -q lttng <<<"$maps"; then die "an LTTng library is mapped without BGCOPY_TRACE"; fi
grep -q libbgcopy.so <<<"$maps" || die "maps do not show libbgcopy: the check saw nothing"
echo "no LTTng mapped when not tracing"

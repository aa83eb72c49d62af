# bgcopy add --sha256 from the shell: a digest that is not 64 hexadecimal
# digits is refused with exit 2 and adds nothing; the right one lets the
# file through; a wrong one ends the job in error (exit 1) naming both
# digests, and the destination is never written.
. "$(dirname "$0")/lib.sh"

bg() { "$BGCOPY" --store "$WORK/store" --test-short-retry "$@"; }
expect_exit() {
	local want=$1; shift
	"$@" > "$WORK/last.out" 2> "$WORK/last.err"
	local got=$?
	[ "$got" = "$want" ] || die "'$*' exited $got, expected $want: $(cat "$WORK/last.err")"
}

start_server
make_file a.bin 150000
make_file b.bin 150000
mkdir -p "$WORK/out"
URL=http://127.0.0.1:$PORT
right=$(sha256sum "$WORK/www/a.bin" | cut -d' ' -f1)
other=$(sha256sum "$WORK/www/b.bin" | cut -d' ' -f1)

job=$(bg create sums) || die "create"
expect_exit 2 bg add "$job" "$URL/a.bin" "$WORK/out/a.bin" --sha256 "${right%?}g"
grep -q "is not a SHA-256" "$WORK/last.err" || die "bad digest not explained: $(cat "$WORK/last.err")"
expect_exit 2 bg add "$job" "$URL/a.bin" "$WORK/out/a.bin" --sha256
bg info "$job" --json | grep -q '"url"' && die "a refused digest added a file"

bg add "$job" "$URL/a.bin" "$WORK/out/a.bin" --sha256 "$right" || die "add with the right digest"
bg resume "$job" || die "resume"
expect_exit 0 bg wait "$job"
bg complete "$job" || die "complete"
cmp -s "$WORK/www/a.bin" "$WORK/out/a.bin" || die "the checked file differs"

bad=$(bg create wrong) || die "create"
bg add "$bad" "$URL/a.bin" "$WORK/out/bad.bin" --sha256 "$other" || die "add with a wrong digest"
bg resume "$bad" || die "resume"
expect_exit 1 bg wait "$bad"
bg info "$bad" > "$WORK/info.txt" || die "info"
grep -q "SHA-256 mismatch: expected $other, got $right" "$WORK/info.txt" ||
	die "info does not name both digests: $(cat "$WORK/info.txt")"
[ -e "$WORK/out/bad.bin" ] && die "a mismatched file reached its destination"
ls -a "$WORK/out" | grep -q '^\.bad\.bin\..*bgcopy-tmp$' || die "the mismatched bytes were not kept"
bg cancel "$bad" || die "cancel"
ls -a "$WORK/out" | grep -q 'bgcopy-tmp' && die "cancel left the temporary file"
echo "bgcopy add --sha256: refused, passed and failed as it should"

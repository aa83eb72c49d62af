# bgcopy-analyze --html draws one self-contained page that headless
# Chromium renders: for a passing trace (a real traced download) without
# any finding marker, for a failing one (a lost JobModification) with
# the marker's colour on screen and the rule named.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../tools/report_traces.sh"

MARKER=e6007e	# the finding marker's colour (analysis/report/html.c)
PNG=$(dirname "$0")/../tools/png_colours.py
CHROMIUM=$(command -v chromium || command -v chromium-browser) ||
	{ echo "chromium is not installed (make deps installs it)"; exit 77; }

# shot NAME: the page of trace NAME, rendered to NAME.png; prints its
# colour count and marker pixels.
shot() {
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--user-data-dir="$WORK/chromium" --window-size=1200,900 \
		--screenshot="$WORK/$1.png" "file://$WORK/$1.html" \
		> "$WORK/$1.chromium.log" 2>&1 ||
		{ cat "$WORK/$1.chromium.log"; die "chromium could not render $1.html"; }
	python3 "$PNG" "$WORK/$1.png" "$MARKER"
}

# page NAME STATUS: the HTML of trace NAME, which must exit STATUS.
page() {
	LD_PRELOAD=$BT_PRELOAD "$ANALYZE" --html "$WORK/$1.html" "$WORK/$1" > "$WORK/$1.txt"
	local rc=$?
	[ $rc = "$2" ] || { cat "$WORK/$1.txt"; die "$1: exit $rc, expected $2"; }
	# Self-contained: nothing to fetch (the SVG namespace is a name).
	! grep -qiE '(src|href)=|url\(|@import|https?://[^"]*"[^>]*>' \
		<(sed 's|xmlns="http://www.w3.org/2000/svg"||g' "$WORK/$1.html") ||
		die "$1.html refers to something outside itself"
}

record_passing "$WORK/pass"
record_failing "$WORK/fail"
page pass 0
page fail 1
grep -q '>PASS</span></h1>' "$WORK/pass.html" || die "the passing page does not say PASS"
grep -q '>FAIL</span></h1>' "$WORK/fail.html" || die "the failing page does not say FAIL"
grep -q '>G1</text>' "$WORK/fail.html" || die "the failing page does not mark G1"

shot pass > "$WORK/pass.colours"
shot fail > "$WORK/fail.colours"
cat "$WORK/pass.colours" "$WORK/fail.colours"
colours() { sed -n "s/^distinct //p" "$WORK/$1.colours"; }
marker() { sed -n "s/^pixels //p" "$WORK/$1.colours"; }
[ "$(colours pass)" -ge 20 ] || die "the passing page renders (nearly) blank"
[ "$(colours fail)" -ge 20 ] || die "the failing page renders (nearly) blank"
[ "$(marker pass)" = 0 ] || die "a finding marker is drawn for a passing trace"
[ "$(marker fail)" -ge 50 ] || die "no finding marker is drawn for the failing trace"
echo "ok   headless Chromium: pass $(colours pass) colours and no marker; fail $(colours fail) colours, $(marker fail) marker pixels"

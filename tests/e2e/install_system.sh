# make install PREFIX=/usr/local gives a library a program finds through
# pkg-config alone and runs without LD_LIBRARY_PATH; make uninstall takes
# back every file it put there.  Root only, and only on a machine where
# no bgcopy is installed in /usr/local already (it must not clobber one).
. "$(dirname "$0")/lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
case $B in */asan|*/tsan) echo "install is checked on the plain build"; exit 77 ;; esac
[ "$(id -u)" = 0 ] || { echo "needs root to install into /usr/local"; exit 77; }
# /usr/local is the machine's: two make check runs take turns here.
exec 8>/tmp/bgcopy-install-system.lock
flock 8
if [ -e /usr/local/lib/libbgcopy.so.1 ] || [ -e /usr/local/bin/bgcopy ]; then
	echo "a bgcopy is already installed in /usr/local; not touching it"; exit 77
fi
before=$(find /usr/local "$(dirname "$(babeltrace2 list-plugins 2>/dev/null |
	sed -n 's|^ *Path: \(.*\)/babeltrace-plugin-ctf\.so$|\1/x|p')")" 2>/dev/null | sort)

uninstall() { make -s -C "$top" uninstall PREFIX=/usr/local >/dev/null 2>&1; }
trap 'uninstall; cleanup' EXIT
make -s -C "$top" install PREFIX=/usr/local >/dev/null || die "make install failed"

flags=$(pkg-config --cflags --libs bgcopy) || die "pkg-config does not know bgcopy"
cat > "$WORK/hello.c" <<'C'
#include <bgcopy.h>
#include <stdio.h>
int main(void)
{
	return puts(bgcopy_state_name(BGCOPY_TRANSFERRED)) < 0;
}
C
gcc -o "$WORK/hello" "$WORK/hello.c" $flags || die "a program does not build with: $flags"
out=$(env -u LD_LIBRARY_PATH "$WORK/hello") || die "the program does not run without LD_LIBRARY_PATH"
[ "$out" = TRANSFERRED ] || die "the program printed '$out'"
ldd "$WORK/hello" | grep -q '/usr/local/lib/libbgcopy.so.1' ||
	die "the program does not load the installed libbgcopy.so.1: $(ldd "$WORK/hello")"

uninstall || die "make uninstall failed"
after=$(find /usr/local "$(dirname "$(babeltrace2 list-plugins 2>/dev/null |
	sed -n 's|^ *Path: \(.*\)/babeltrace-plugin-ctf\.so$|\1/x|p')")" 2>/dev/null | sort)
left=$(comm -13 <(echo "$before") <(echo "$after"))
[ -z "$left" ] || die "make uninstall left behind: $left"
! ldconfig -p | grep -q 'libbgcopy.so.1 ' || die "ldconfig still lists libbgcopy.so.1"
echo "installed, linked through pkg-config, ran, uninstalled"

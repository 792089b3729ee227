#!/usr/bin/env bash
# `make install` into a temporary prefix, then a program built against the installed library with
# pkg-config, once shared and once static, must run and report the library's version; the shared
# library carries its soname and exports only public rnnc_ names; `make uninstall` removes it all.
# Run by `make check` (RNNC_BUILD names the build folder; RNNC_SAN the sanitizers it was built
# with, which the test program is built with too).
set -u
build=${RNNC_BUILD:-build}
san=${RNNC_SAN:-}
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

version=$(sed -n 's/^#define RNNC_VERSION_STRING "\(.*\)"/\1/p' include/rnnc/core.h)
prefix=/opt/rnnc-test
dest=$tmp/root
if make --no-print-directory -s install SAN="$san" PREFIX="$prefix" DESTDIR="$dest" > "$tmp/install.log" 2>&1; then
    ok "make install PREFIX=$prefix DESTDIR=... ($(find "$dest" -type f -o -type l | wc -l) files)"
else
    bad "make install failed: $(tail -n 3 "$tmp/install.log")"
fi
lib=$dest$prefix/lib
for f in include/rnnc.h include/rnnc/core.h lib/librnnc.a "lib/librnnc.so.$version" lib/librnnc.so.0 \
    lib/librnnc.so lib/pkgconfig/rnnc.pc bin/rnnc share/man/man1/rnnc.1; do
    [ -e "$dest$prefix/$f" ] || bad "not installed: $f"
done
soname=$(readelf -d "$lib/librnnc.so.$version" 2> /dev/null | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = librnnc.so.0 ] && ok "soname librnnc.so.0, file librnnc.so.$version" || bad "soname '$soname'"
nm -D --defined-only "$lib/librnnc.so" | awk '{print $3}' > "$tmp/syms"
others=$(grep -v '^rnnc_' "$tmp/syms" | head -n 5 | tr '\n' ' ')
internal=$(grep -c '^rnnc__' "$tmp/syms")
[ -z "$others" ] && [ "$internal" -eq 0 ] && [ "$(wc -l < "$tmp/syms")" -gt 100 ] &&
    ok "the shared library exports $(wc -l < "$tmp/syms") names, all public rnnc_ ones" ||
    bad "exported beyond the public API: ${others}($internal rnnc__ names)"
# Names (docs/api.md, "Names"): a getter is rnnc_<object>_<thing>, a verb only where that name is a
# type's (rnnc_lm_get_spec); no "_of" or "rnnc_get_" forms.
odd=$(grep -E '_of$|^rnnc_get_|_get_' "$tmp/syms" | grep -v '^rnnc_lm_get_spec$' | tr '\n' ' ')
[ -z "$odd" ] && ok "every exported getter is named rnnc_<object>_<thing>" ||
    bad "getters named against docs/api.md's rule: $odd"
grep -q "^Version: $version$" "$lib/pkgconfig/rnnc.pc" && ok "rnnc.pc says version $version" ||
    bad "rnnc.pc version"
grep -q "\"rnnc $version\"" "$dest$prefix/share/man/man1/rnnc.1" && ok "the man page says rnnc $version" ||
    bad "the man page's version is not $version"
"$dest$prefix/bin/rnnc" --version | grep -q "^rnnc $version$" && ok "rnnc --version says $version" ||
    bad "rnnc --version"

# A program that uses the library: a GRU built in code runs forward, and the version call agrees.
cat > "$tmp/prog.c" << 'EOC'
#include <rnnc.h>
#include <stdio.h>
#include <string.h>
int main(void) {
    rnnc_config cfg;
    rnnc_model *m = NULL;
    if (rnnc_config_parse("[model]\ninput_size = 3\n[gru]\nhidden = 4\n", "prog", &cfg) ||
        rnnc_model_create(&cfg, 1, &m)) {
        fprintf(stderr, "%s\n", rnnc_last_error());
        return 1;
    }
    printf("%s %d\n", rnnc_version(), rnnc_model_param_count(m)); /* 4 tensors */
    rnnc_model_free(m);
    return strcmp(rnnc_version(), RNNC_VERSION_STRING) != 0;
}
EOC
export PKG_CONFIG_PATH=$lib/pkgconfig
export PKG_CONFIG_SYSROOT_DIR=$dest
sanflags=${san:+-fsanitize=$san}
for kind in shared static; do
    flags=$(pkg-config --cflags rnnc) && libs=$(pkg-config --libs $([ $kind = static ] && echo --static) rnnc)
    if [ $kind = static ]; then
        libs=${libs/-lrnnc/$lib/librnnc.a} # the static archive, though the shared one is there too
    fi
    if cc $sanflags $flags "$tmp/prog.c" -o "$tmp/prog-$kind" $libs -Wl,-rpath,"$lib" 2> "$tmp/cc.log"; then
        out=$("$tmp/prog-$kind" 2>&1)
        rc=$?
        [ "$rc" -eq 0 ] && [ "$out" = "$version 4" ] &&
            ok "$kind: built with pkg-config ($libs), runs: $out" || bad "$kind: exit $rc, '$out'"
    else
        bad "$kind: cannot build: $(head -n 3 "$tmp/cc.log")"
    fi
done
ldd "$tmp/prog-shared" 2> /dev/null | grep -q "librnnc.so.0 => $lib/librnnc.so.0" &&
    ok "the shared program loads librnnc.so.0 from the prefix" || bad "the shared program's librnnc: $(ldd "$tmp/prog-shared" | grep rnnc)"
ldd "$tmp/prog-static" 2> /dev/null | grep -q librnnc && bad "the static program loads librnnc" ||
    ok "the static program needs no librnnc"

make --no-print-directory -s uninstall SAN="$san" PREFIX="$prefix" DESTDIR="$dest" > /dev/null 2>&1
left=$(find "$dest" -type f -o -type l | head -n 3 | tr '\n' ' ')
[ -z "$left" ] && ok "make uninstall removes every installed file" || bad "left after uninstall: $left"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/usr/bin/env bash
# Builds the .deb from an already built tree (into a scratch directory) and checks its contents and metadata.
set -euo pipefail
build=$1 out=$2
rm -rf "$out" && mkdir -p "$out"
(cd "$out" && cpack --config "$build/CPackConfig.cmake" -G DEB -B "$out" >"$out/cpack.log" 2>&1) || {
    cat "$out/cpack.log" >&2
    exit 1
}
deb=$(ls "$out"/*.deb | head -n1)
[ -n "$deb" ] || { echo "no .deb produced" >&2; exit 1; }
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
fail=0
for want in ./usr/bin/faultdesk \
    ./usr/bin/faultdesk-fleetsim \
    ./usr/share/faultdesk/demo/demo-fleet.json \
    ./usr/share/applications/org.faultdesk.FaultDesk.desktop \
    ./usr/share/metainfo/org.faultdesk.FaultDesk.metainfo.xml \
    ./usr/share/doc/faultdesk/examples/faultdesk-monitor.service \
    ./usr/share/icons/hicolor/scalable/apps/org.faultdesk.FaultDesk.svg \
    ./usr/share/icons/hicolor/48x48/apps/org.faultdesk.FaultDesk.png \
    ./usr/share/icons/hicolor/256x256/apps/org.faultdesk.FaultDesk.png; do
    if ! grep -qxF "$want" <<<"$contents"; then
        echo "missing from $(basename "$deb"): $want" >&2
        fail=1
    fi
done
version=$(dpkg-deb -f "$deb" Version)
package=$(dpkg-deb -f "$deb" Package)
depends=$(dpkg-deb -f "$deb" Depends)
echo "package $package $version: $(wc -l <<<"$contents") entries; depends: $depends"
[ "$package" = faultdesk ] || { echo "package name is $package" >&2; fail=1; }
grep -q 'libqt6widgets6' <<<"$depends" || { echo "Depends lacks the Qt libraries: $depends" >&2; fail=1; }
grep -q 'libqt6httpserver6' <<<"$depends" || { echo "Depends lacks Qt HttpServer (faultdesk-fleetsim): $depends" >&2; fail=1; }
grep -qw 'haproxy' <<<"$depends" || { echo "Depends lacks haproxy (the demo fleet): $depends" >&2; fail=1; }
exit $fail

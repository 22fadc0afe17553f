#!/usr/bin/env bash
# The example systemd unit parses: systemd-analyze verify on a copy that points at the built binary and runs as
# the current user (the unit's own user and /usr/bin need not exist on a build machine).
set -euo pipefail
unit=$1 faultdesk=$2 out=$3
mkdir -p "$out"
user=$(id -un) group=$(id -gn)
sed -e "s|/usr/bin/faultdesk|$faultdesk|g" -e "s|^User=.*|User=$user|" -e "s|^Group=.*|Group=$group|" \
    "$unit" >"$out/faultdesk-monitor.service"
systemd-analyze verify "$out/faultdesk-monitor.service"

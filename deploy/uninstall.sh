#!/bin/sh
# Remove Rare Earth Monitor's services and code. Configuration and data are KEPT unless --purge:
#
#   sudo deploy/uninstall.sh            # stop, disable, remove units and /opt/rare-earth-monitor
#   sudo deploy/uninstall.sh --purge    # ... and delete /etc/monitor, /var/lib/monitor and the user
#
# Environment: DESTDIR, SYSTEMCTL, as for install.sh.
set -eu

DESTDIR=${DESTDIR:-}
SYSTEMCTL=${SYSTEMCTL:-systemctl}
PURGE=no
[ "${1:-}" = "--purge" ] && PURGE=yes

say() { printf 'uninstall: %s\n' "$*"; }

if [ -z "$DESTDIR" ] && [ "$(id -u)" != 0 ]; then
    echo "uninstall: run as root (sudo $0)" >&2
    exit 1
fi

if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; then
    "$SYSTEMCTL" disable --now --quiet monitor-datasette.service monitor.service 2>/dev/null || true
fi
rm -f "$DESTDIR/etc/systemd/system/monitor.service" "$DESTDIR/etc/systemd/system/monitor-datasette.service"
if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; then
    "$SYSTEMCTL" daemon-reload
fi
rm -rf "$DESTDIR/opt/rare-earth-monitor"
say "removed the services and /opt/rare-earth-monitor"

if [ "$PURGE" = yes ]; then
    rm -rf "$DESTDIR/etc/monitor" "$DESTDIR/var/lib/monitor"
    if [ -z "$DESTDIR" ] && getent passwd monitor >/dev/null 2>&1; then
        userdel monitor
    fi
    say "purged /etc/monitor, /var/lib/monitor and the user monitor"
else
    say "kept /etc/monitor and /var/lib/monitor (the database); --purge deletes them"
fi

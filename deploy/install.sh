#!/bin/sh
# Install or upgrade Rare Earth Monitor as systemd services. Safe to run again: existing
# configuration and data are never overwritten; code and unit files are replaced.
#
#   sudo deploy/install.sh            # install, enable; start after editing /etc/monitor/feeds.toml
#   sudo deploy/install.sh --start    # ... and (re)start both services now
#
# Layout: code in /opt/rare-earth-monitor/venv, config in /etc/monitor, data in /var/lib/monitor.
# Environment (for packaging and tests): DESTDIR (a root to install under), PYTHON (python3.11+),
# INSTALL_VENV=0 (skip the virtualenv), SYSTEMCTL (default systemctl).
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
DESTDIR=${DESTDIR:-}
PYTHON=${PYTHON:-python3}
SYSTEMCTL=${SYSTEMCTL:-systemctl}
PREFIX=$DESTDIR/opt/rare-earth-monitor
CONF=$DESTDIR/etc/monitor
STATE=$DESTDIR/var/lib/monitor
UNITS=$DESTDIR/etc/systemd/system
START=no
[ "${1:-}" = "--start" ] && START=yes

say() { printf 'install: %s\n' "$*"; }

if [ -z "$DESTDIR" ] && [ "$(id -u)" != 0 ]; then
    echo "install: run as root (sudo $0)" >&2
    exit 1
fi

# Under DESTDIR (packaging, tests) nothing is created on this system and nothing is chowned.
OWN_CONF="-o root -g monitor"
OWN_STATE="-o monitor -g monitor"
OWN_ROOT="-o root -g root"
[ -n "$DESTDIR" ] && OWN_CONF="" && OWN_STATE="" && OWN_ROOT=""

# 1. A system user without a shell or home of its own; its group may read /etc/monitor.
if [ -z "$DESTDIR" ] && ! getent passwd monitor >/dev/null 2>&1; then
    useradd --system --user-group --home-dir /var/lib/monitor --no-create-home \
        --shell /usr/sbin/nologin --comment "Rare Earth Monitor" monitor
    say "created user monitor"
fi

# 2. Code: a virtualenv of its own, upgraded in place.
if [ "${INSTALL_VENV:-1}" != 0 ]; then
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || { echo "install: $PYTHON is older than 3.11" >&2; exit 1; }
    [ -x "$PREFIX/venv/bin/python" ] || "$PYTHON" -m venv "$PREFIX/venv"
    "$PREFIX/venv/bin/pip" install --quiet --upgrade pip
    "$PREFIX/venv/bin/pip" install --quiet --upgrade "$SRC"
    say "installed $("$PREFIX/venv/bin/monitor" --version 2>/dev/null || echo monitor) in $PREFIX/venv"
fi

# 3. Configuration (root-owned, readable by the service's group) and state (the service's only).
install -d -m 0750 $OWN_CONF "$CONF"
install -d -m 0700 $OWN_STATE "$STATE"
if [ ! -e "$CONF/feeds.toml" ]; then
    install -m 0640 $OWN_CONF "$SRC/deploy/feeds.example.toml" "$CONF/feeds.toml"
    say "wrote $CONF/feeds.toml from the example: add your sources"
fi
if [ ! -e "$CONF/apprise.yml" ]; then
    # A credential: systemd reads it as root and hands the service a private copy.
    install -m 0600 $OWN_ROOT /dev/null "$CONF/apprise.yml"
    printf '# Apprise targets, e.g.\n# urls:\n#   - json://127.0.0.1:9000/hook:\n#       - tag: ops\nurls: []\n' \
        > "$CONF/apprise.yml"
    say "wrote $CONF/apprise.yml: add your notification targets"
fi

# 4. Units: replaced on every run (local changes belong in `systemctl edit` drop-ins).
install -d -m 0755 "$UNITS"
install -m 0644 "$SRC/deploy/monitor.service" "$SRC/deploy/monitor-datasette.service" "$UNITS/"
if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; then
    "$SYSTEMCTL" daemon-reload
    "$SYSTEMCTL" enable --quiet monitor.service monitor-datasette.service
    if [ "$START" = yes ]; then
        "$SYSTEMCTL" restart monitor.service monitor-datasette.service
    else
        # Upgrades take effect at once for running services; fresh installs wait for --start.
        "$SYSTEMCTL" try-restart monitor.service monitor-datasette.service
    fi
    say "enabled monitor.service and monitor-datasette.service"
else
    say "systemd not running (or DESTDIR set): units copied, not enabled"
fi
say "done. Logs: journalctl -u monitor -f    Status: systemctl status monitor"

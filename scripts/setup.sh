#!/bin/sh
# Install the Debian packages cairn needs to build, test and run guests.
#
# Idempotent: packages already installed are left alone and apt is not
# touched at all when nothing is missing.  Run as root (or with sudo
# available) on Debian 12.  Set CAIRN_SETUP_SKIP=1 to skip entirely
# (for machines managed some other way).
set -eu

PACKAGES="build-essential make libssl-dev pkg-config \
gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-user \
libmicrohttpd-dev libsqlite3-dev libjansson-dev libcurl4-openssl-dev chromium curl jq groff-base \
postgresql libpq-dev"

if [ "${CAIRN_SETUP_SKIP:-0}" = "1" ]; then
    exit 0
fi

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

echo "setup: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "setup: need root to install:$missing" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing

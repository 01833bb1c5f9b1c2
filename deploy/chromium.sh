#!/usr/bin/env bash
# The browser the tests in tests/browser drive: Debian's Chromium at /usr/bin/chromium (Playwright's
# own browser download is not reachable from our machines; its Python package brings only its
# driver). Installed once, when missing: as root (CI), or through sudo.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CHROMIUM=/usr/bin/chromium
[[ -x $CHROMIUM ]] && exit 0
command -v apt-get >/dev/null 2>&1 || die "missing $CHROMIUM: install Debian's chromium package"
if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  die "missing $CHROMIUM: sudo apt-get install -y chromium"
fi
say "installing chromium (Debian's package) for the browser tests"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq chromium >/dev/null
[[ -x $CHROMIUM ]] || die "apt-get installed chromium but $CHROMIUM is missing"

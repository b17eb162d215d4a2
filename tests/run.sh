#!/usr/bin/env bash
# Installs what the tests need (Python packages; Debian's chromium, CJK fonts and LibreOffice for the
# browser and export tests) and runs the whole suite. The README's second command.
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

debian_packages=()
command -v chromium >/dev/null || debian_packages+=(chromium)
# grep reads to the end (no -q): under pipefail an early exit would fail fc-list with SIGPIPE
fc-list 2>/dev/null | grep "Noto Sans CJK" >/dev/null || debian_packages+=(fonts-noto-cjk)
# the deck renders through Impress, the Word 通报 through Writer: soffice alone may have either
dpkg -s libreoffice-impress >/dev/null 2>&1 || debian_packages+=(libreoffice-impress)
dpkg -s libreoffice-writer >/dev/null 2>&1 || debian_packages+=(libreoffice-writer)
command -v pdftoppm >/dev/null || debian_packages+=(poppler-utils)
if ((${#debian_packages[@]})); then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "Installing Debian packages: ${debian_packages[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${debian_packages[@]}" >/dev/null
  else
    echo "Missing ${debian_packages[*]} and cannot apt-get install them: those tests will be skipped." >&2
  fi
fi

# loadgroup as tests/conftest.py groups them: each module on one worker (the browser tests share one
# server and one demo database), the shares of the longest table spread over both
exec python -m pytest -n 2 --dist loadgroup --durations=25 "$@"

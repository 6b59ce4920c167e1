#!/usr/bin/env bash
# Installs nginx from Debian's packages when missing (for server/tests/proxy.rs, which
# runs deploy/nginx.conf in front of two instances) and prints the binary's path.
set -euo pipefail
find_nginx() { command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; }; }
if ! find_nginx >/dev/null; then
    echo "installing nginx from Debian's packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    # The package would start a system-wide nginx on port 80; tests start their own.
    policy=/usr/sbin/policy-rc.d
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy"
        trap 'rm -f "$policy"' EXIT
    fi
    apt-get install -y -qq nginx >&2 || { apt-get update -qq >&2 && apt-get install -y -qq nginx >&2; }
fi
find_nginx

#!/usr/bin/env bash
# Install the Debian 12 packages rsmkit needs to build and run every test.
# Idempotent and quiet: when everything is installed it only asks dpkg and
# touches neither the network nor apt's lists. Root runs apt-get directly;
# anyone else needs sudo.
set -euo pipefail

packages=(
  build-essential g++ cmake ninja-build pkg-config git  # toolchain and build
  libgtest-dev libgmock-dev googletest                   # unit and conformance tests
  libbenchmark-dev librapidcheck-dev                     # benchmarks, property tests
  libfabric-dev libfabric-bin                            # optional ofi backend
  clang libclang-rt-14-dev                               # fuzz preset (libFuzzer, sanitizers)
  valgrind gcovr lcov                                    # memcheck, coverage
  iproute2 python3                                       # test helpers
)

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ $status == installed ]] || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

if ((EUID == 0)); then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install-deps: not root and no sudo; install these as root: ${missing[*]}" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
apt_get=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y
         -o Dpkg::Use-Pty=0 -o APT::Install-Recommends=false)
"${apt_get[@]}" update >/dev/null
if ! "${apt_get[@]}" install "${missing[@]}" >/tmp/rsmkit-install-deps.log 2>&1; then
  tail -n 30 /tmp/rsmkit-install-deps.log >&2
  echo "install-deps: apt-get install failed (full log: /tmp/rsmkit-install-deps.log)" >&2
  exit 1
fi
echo "install-deps: done"

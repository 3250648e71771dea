#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian machine and builds it:
# Java 17 and Maven (engine), Python 3.11+ with a virtualenv (workers, CLI, tests).
# Safe to run again: every step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing system packages: $*. Install them (sudo apt-get install $*) and run again." >&2
    exit 1
  fi
  if [ -z "${RIEC_APT_UPDATED:-}" ]; then
    apt-get update -qq
    export RIEC_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1; }
if ! command -v java >/dev/null || [ "$(java_major)" -lt 17 ]; then apt_install openjdk-17-jdk-headless; fi
if ! command -v mvn >/dev/null; then apt_install maven; fi
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Python 3.11 or newer is needed as python3." >&2
  exit 1
fi
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then apt_install python3-venv; fi

# Model gates: bpmnlint 11 with the Camunda 7.24 compatibility plugin (package.json, run by tests/models).
if ! command -v npm >/dev/null; then apt_install nodejs npm; fi
# tests/browser: headless Chromium driven through Debian's own chromedriver (nothing downloaded at test time).
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then apt_install chromium chromium-driver; fi
if [ ! -d node_modules/bpmnlint ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

echo "Building the engine (first time: Maven downloads its dependencies) ..."
mvn -B -q -Dstyle.color=never -f engine/pom.xml package -DskipTests

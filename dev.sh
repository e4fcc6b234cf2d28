#!/usr/bin/env bash
# One-command setup for a fresh machine: make .venv (CPU PyTorch first, never CUDA wheels),
# install dgm_robot into it, then run a job: `./dev.sh demo`, `./dev.sh test`, or any
# `dgm-robot` subcommand (`./dev.sh sim --seconds 30 --record out/tour`).
set -euo pipefail
cd "$(dirname "$0")"
venv=${DGM_VENV:-.venv}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
py="$venv/bin/python"
if ! "$py" -c 'import torch' 2>/dev/null; then
  "$py" -m pip install -q torch==2.13.0
fi
if [ ! -f "$venv/.dgm_installed" ] || [ setup.py -nt "$venv/.dgm_installed" ]; then
  "$py" -m pip install -q -c constraints.txt -e '.[test]'
  touch "$venv/.dgm_installed"
fi
job=${1:-demo}
case "$job" in
  test)
    shift
    exec "$py" -m pytest -q test "$@"
    ;;
  *)
    exec "$venv/bin/dgm-robot" "$@"
    ;;
esac

#!/usr/bin/env bash
# Re-record every NN_name.out from its NN_name.py with the installed PyTorch (pip install torch).
# Nothing in the build or the tests runs this: the recorded .out files are what the twins compare with.
set -euo pipefail
cd "$(dirname "$0")"
for f in *.py; do python3 "$f" > "${f%.py}.out" 2>&1; done
echo "recorded $(ls *.out | wc -l) outputs"

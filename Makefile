# The two commands of the README. Each does all set-up first (scripts/setup.sh: Debian
# packages, .venv with torch==2.13.0 first, then mirrorlab), so both work on a fresh machine.
.PHONY: setup demo test bench

setup:
	bash scripts/setup.sh

demo: setup
	.venv/bin/mirrorlab demo

test: setup
	bash scripts/test.sh

bench: setup
	bash scripts/bench.sh

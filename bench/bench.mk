# `make bench` (not part of `make test`): builds the benchmark tools in bench/build (their own CMake project,
# which adds the main tree as a subdirectory) and runs bench/run_bench.py, which prints one table and writes
# bench/results/latest.json. BENCH_QUICK=1 for a quick run (100,000 cases); bench/README.md lists the knobs.
BENCH_BUILD ?= bench/build
# PostgreSQL + PostGIS for the point-to-grid comparison, libpq for the tool that queries it; taskset and
# runuser come with util-linux.
BENCH_DEB_PACKAGES := postgresql-15 postgresql-15-postgis-3 libpq-dev util-linux

.PHONY: bench bench-deps bench-tools

bench-deps:
	@missing=$$(for p in $(BENCH_DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BENCH_BUILD)/Makefile: bench/CMakeLists.txt | bench-deps
	cmake -S bench -B $(BENCH_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

bench-tools: build bench-deps $(BENCH_BUILD)/Makefile
	$(MAKE) -C $(BENCH_BUILD) -j$(JOBS) preload replicate loadgen raw_sqlite locate_bench httpq sql_reference

bench: bench-tools
	CIVICGRID_BIN=$(abspath $(BUILD))/civicgrid BENCH_TOOLS=$(abspath $(BENCH_BUILD)) python3 bench/run_bench.py

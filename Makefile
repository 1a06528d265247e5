# Two commands set everything up: `make demo` and `make test`. Both install missing Debian packages first.
SHELL := /bin/bash
BUILD ?= build
JOBS ?= 2
DEMO_DATA ?= data/demo
LISTEN ?= 127.0.0.1:8080

# Build and test dependencies, all from Debian (no downloads at build time).
DEB_PACKAGES := cmake g++ make pkg-config libboost-dev nlohmann-json3-dev libsqlite3-dev libsodium-dev \
                libcli11-dev libssl-dev libicu-dev libgtest-dev libgmock-dev python3 clang-14 libclang-rt-14-dev \
                clang-format-14 clang-tidy-14

.PHONY: all deps build test demo clean format tidy

all: build

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BUILD)/Makefile: CMakeLists.txt | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/Makefile
	$(MAKE) -C $(BUILD) -j$(JOBS) civicgrid civicgrid_tests civicgrid_scenarios

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# Creates the demo store once (three counties of Yancheng and a year of history), then serves it.
demo: build
	@if [ ! -f $(DEMO_DATA)/civicgrid.db ]; then \
	  umask 077 && mkdir -p $(DEMO_DATA) && \
	  $(BUILD)/civicgrid init --data $(DEMO_DATA) --demo > $(DEMO_DATA)/init.log && \
	  grep '^admin password:' $(DEMO_DATA)/init.log | cut -d' ' -f3 > $(DEMO_DATA)/admin-password; \
	fi
	@echo
	@echo "civicgrid demo on http://$(LISTEN)   (three counties of Yancheng, a year of cases)"
	@echo "Accounts (POST /api/v1/login {\"login\",\"password\"}; admin and dispatcher also need \"otp\"):"
	@grep -E '^(admin |demo user:)' $(DEMO_DATA)/init.log | sed 's/^/  /'
	@echo "A token without the one-time code, for scripts:"
	@echo "  TOKEN=\$$($(BUILD)/civicgrid token --data $(DEMO_DATA) --user dispatcher)"
	@echo "  curl -H \"Authorization: Bearer \$$TOKEN\" 'http://$(LISTEN)/api/v1/cases?status=accepted&limit=5'"
	@echo
	exec $(BUILD)/civicgrid serve --data $(DEMO_DATA) --listen $(LISTEN)

clean:
	rm -rf $(BUILD)

# The rules the tools enforce (docs/architecture.md, "Rules the tools enforce"). `make format` rewrites the
# C++ under src/, bench/ and tests/ to .clang-format; `make tidy` runs clang-tidy over the product sources
# as the `tidy` test does (FILES="src/http/api.cc …" for only those).
format: deps
	bash tests/tooling/format.sh . --fix

tidy: deps $(BUILD)/Makefile
	python3 tests/tooling/run_tidy.py . $(BUILD) --jobs $(JOBS) $(FILES)

# Benchmarks (not part of make test): bench/bench.mk defines `make bench`.
-include bench/bench.mk
-include tests/fuzz/fuzz.mk

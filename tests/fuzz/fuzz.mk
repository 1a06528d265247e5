# The long fuzz run (docs/fuzzing.md); not part of `make test`, which runs each target 15 s (fuzz_smoke).
#   make fuzz                                   every target FUZZ_SECONDS (600) in turn
#   make fuzz FUZZ_SECONDS=3600 FUZZ_TARGETS=geojson
# The corpus grows in $(BUILD)/fuzz/corpus/TARGET; findings land in $(BUILD)/fuzz/crashes/.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?=

.PHONY: fuzz
fuzz: deps
	bash tests/fuzz/run.sh --keep-corpus $(BUILD)/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

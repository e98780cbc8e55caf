# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tracekit. `make` builds bin/*, `make test` runs every test, `make demo`
# shows proctrace at work. V=1 shows the commands.

# Adding a tracer: include/tk_<x>.h, bpf/<x>.bpf.c, user/<x>.c, one line here.
APPS = \
	proctrace \
	filetrace \
	#

ARCH ?= $(shell uname -m)
BPF_ARCH := $(shell echo $(ARCH) | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' \
		-e 's/ppc64le/powerpc/' -e 's/riscv64/riscv/' -e 's/s390x/s390/')
VMLINUX := vmlinux/$(ARCH)/vmlinux.h
OUTPUT := build
BIN := bin
PREFIX ?= /usr/local
DESTDIR ?=

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config

LIBBPF_CFLAGS := $(shell $(PKG_CONFIG) --cflags libbpf 2>/dev/null)
LIBBPF_LIBS := $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf)
CFLAGS ?= -g -O2
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Iinclude -Iuser -I$(OUTPUT) $(LIBBPF_CFLAGS)
LDLIBS := $(LIBBPF_LIBS) -lelf -lz -lm
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Wall -Werror \
	-I$(dir $(VMLINUX)) -Iinclude -Ibpf

ifeq ($(V),1)
	Q =
	msg =
else
	Q = @
	msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
	MAKEFLAGS += --no-print-directory
endif

LIB_SRCS := $(wildcard user/tk_*.c)
LIB_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(LIB_SRCS))
APP_OBJS := $(patsubst %,$(OUTPUT)/user/%.o,$(APPS))
LIBTK := $(OUTPUT)/libtk.a

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all clean install vmlinux deps demo test unit-tests integration-tests bench

all: $(addprefix $(BIN)/,$(APPS))

# A clear error up front on an arch without a vmlinux.h (except for the
# goals that do not compile BPF).
ifeq ($(wildcard $(VMLINUX)),)
ifeq ($(filter vmlinux clean deps,$(MAKECMDGOALS)),)
$(error no $(VMLINUX) for ARCH=$(ARCH): run 'make vmlinux' on a $(ARCH) machine whose kernel has BTF)
endif
endif

vmlinux:
	$(Q)mkdir -p vmlinux/$(ARCH)
	$(call msg,GEN,$(VMLINUX))
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $(VMLINUX)

$(OUTPUT) $(OUTPUT)/user $(OUTPUT)/tests $(BIN):
	$(Q)mkdir -p $@

# clang → bpftool gen object (links, strips DWARF) → bpftool gen skeleton
$(OUTPUT)/%.bpf.o: bpf/%.bpf.c $(VMLINUX) | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -MF $(OUTPUT)/$*.bpf.d -MT $@ -c $< -o $(OUTPUT)/$*.tmp.bpf.o
	$(Q)$(BPFTOOL) gen object $@ $(OUTPUT)/$*.tmp.bpf.o

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(LIB_OBJS): $(OUTPUT)/user/%.o: user/%.c | $(OUTPUT)/user
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(APP_OBJS): $(OUTPUT)/user/%.o: user/%.c $(OUTPUT)/%.skel.h | $(OUTPUT)/user
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIBTK): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)$(AR) rcs $@ $^

$(BIN)/%: $(OUTPUT)/user/%.o $(LIBTK) | $(BIN)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

# ---- tests ---------------------------------------------------------------
UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(wildcard tests/unit/test_*.c))
INTEG_TESTS := $(patsubst tests/integration/%.c,$(OUTPUT)/tests/%,$(wildcard tests/integration/test_*.c))
HELPERS := $(patsubst tests/helpers/%.c,$(OUTPUT)/tests/%,$(wildcard tests/helpers/*.c))
TEST_LIB := $(OUTPUT)/tests/testlib.o

$(TEST_LIB): tests/lib/testlib.c | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/lib -MMD -MP -c $< -o $@

$(OUTPUT)/tests/test_%: tests/unit/test_%.c $(LIBTK) $(TEST_LIB) | $(OUTPUT)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/lib -MMD -MP $< $(TEST_LIB) $(LIBTK) $(LDLIBS) -lcmocka -o $@

$(OUTPUT)/tests/test_%: tests/integration/test_%.c $(LIBTK) $(TEST_LIB) | $(OUTPUT)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/lib -MMD -MP $< $(TEST_LIB) $(LIBTK) $(LDLIBS) -lcmocka -o $@

$(OUTPUT)/tests/%: tests/helpers/%.c | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -MMD -MP $< -o $@

unit-tests: $(UNIT_TESTS)
integration-tests: all $(INTEG_TESTS) $(HELPERS)

# deps first, then everything else (also under make -j). Every test binary
# runs even if one fails; the last line is the tally.
test: deps
	$(Q)$(MAKE) all unit-tests integration-tests
	$(Q)tests/run-tests $(UNIT_TESTS) $(INTEG_TESTS)

# ---- benchmarks: `make bench` runs every bench-* target ---------------------
# benches
BENCHES ?=
BENCHES += bench-file
bench: deps
	$(Q)$(MAKE) all
	$(Q)for b in $(BENCHES); do $(MAKE) $$b || exit 1; done

# bench-file: open+close loop (tests/helpers/openloop.c), untraced /
# filetrace / bpftrace's opensnoop.bt
.PHONY: bench-file
bench-file: $(BIN)/filetrace $(OUTPUT)/tests/openloop
	$(Q)command -v bpftrace >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bpftrace >/dev/null; } || \
		echo "bench-file: could not install bpftrace; its row is skipped" >&2
	$(Q)scripts/bench-file

# ---- demo, deps, install ------------------------------------------------
demo: deps
	$(Q)$(MAKE) all
	$(Q)scripts/demo

# Debian/Ubuntu packages for building and testing (valgrind: leak test).
DEB_PKGS := clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libcmocka-dev \
	pkg-config make gcc valgrind
deps:
	$(Q)missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null \
		| grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if ! command -v apt-get >/dev/null; then \
			echo "deps: please install:" $$missing >&2; exit 1; fi; \
		echo "deps: installing" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

install: all
	$(Q)install -d $(DESTDIR)$(PREFIX)/bin
	$(Q)install -m 0755 $(addprefix $(BIN)/,$(APPS)) $(DESTDIR)$(PREFIX)/bin/

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT) $(BIN)

-include $(wildcard $(OUTPUT)/*.d $(OUTPUT)/user/*.d $(OUTPUT)/tests/*.d)

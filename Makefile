# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tracekit. `make` builds bin/*, `make test` runs every test, `make demo`
# shows proctrace at work. V=1 shows the commands.

# Adding a tracer: include/tk_<x>.h, bpf/<x>.bpf.c, user/<x>.c, one line here
# (its events register themselves: see REGISTRY below).
APPS = \
	proctrace \
	filetrace \
	syscalltrace \
	nettrace \
	sigtrace \
	#
# A tool not listed here is built too: any bpf/<x>.bpf.c with a user/<x>.c,
# which is what `make new-tool NAME=x` creates, so trying a new tool edits
# no tracked file (its events register themselves like every tool's).
# Listing a tool in APPS makes it part of the suite: the README's kernel
# table and `make install`.
LOCAL_TOOLS := $(filter-out $(APPS),$(foreach t,$(patsubst bpf/%.bpf.c,%,\
	$(wildcard bpf/*.bpf.c)),$(if $(wildcard user/$(t).c),$(t))))
TOOLS := $(APPS) $(LOCAL_TOOLS)

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
LLVM_OBJDUMP ?= llvm-objdump
PKG_CONFIG ?= pkg-config

LIBBPF_CFLAGS := $(shell $(PKG_CONFIG) --cflags libbpf 2>/dev/null)
LIBBPF_LIBS := $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf)
# CFLAGS, CPPFLAGS, LDFLAGS and LDLIBS are the user's, used as given and
# after what the build needs (TK_*), which they add to and never replace:
# `make CFLAGS=-O1` changes only the default -g -O2.
CFLAGS ?= -g -O2
TK_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Iinclude -Iuser -I$(OUTPUT) $(LIBBPF_CFLAGS)
# Whatever links libtk.a: libbpf (-lelf -lz for a static one) and the
# threads tk_run.c starts to detach programs. libtk uses no libm function.
TK_LDLIBS := $(LIBBPF_LIBS) -lelf -lz -pthread
# make STATIC=1: libbpf, libelf and zlib linked in from their Debian -dev
# packages' archives (pkg-config --static names what libbpf.a needs), so a
# binary needs only the C library and runs on a host without libbpf 1.x.
# glibc stays dynamic: a static glibc warns on getpwnam/dlopen and gains
# nothing, since every host has a C library. The link mode is recorded in
# $(LINK_MODE) (one per BIN), so switching it relinks without a clean.
STATIC ?=
ifneq ($(STATIC),)
TK_LDLIBS := -Wl,-Bstatic $(shell $(PKG_CONFIG) --static --libs libbpf 2>/dev/null || \
	echo -lbpf -lelf -lz) -Wl,-Bdynamic -pthread
endif
COMPILE = $(CC) $(TK_CFLAGS) $(CFLAGS) $(CPPFLAGS) -MMD -MP
# EXTRA_LDLIBS: a binary's own needs, set per target below
LINK_LIBS = $(EXTRA_LDLIBS) $(LDLIBS)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Wall -Werror \
	-I$(dir $(VMLINUX)) -Iinclude -Ibpf -I$(OUTPUT)

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
APP_OBJS := $(patsubst %,$(OUTPUT)/user/%.o,$(TOOLS))
LIBTK := $(OUTPUT)/libtk.a

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all clean install vmlinux deps metrics-deps demo test unit-tests integration-tests bench bench-sys \
	fuzz fuzzer asan-unit-tests FORCE

all: $(addprefix $(BIN)/,$(TOOLS)) $(BIN)/tracekit

# A clear error up front on an arch without a vmlinux.h (except for the
# goals that do not compile BPF).
ifeq ($(wildcard $(VMLINUX)),)
ifeq ($(filter vmlinux clean deps metrics-deps,$(MAKECMDGOALS)),)
$(error no $(VMLINUX) for ARCH=$(ARCH): run 'make vmlinux' on a $(ARCH) machine whose kernel has BTF)
endif
endif

vmlinux:
	$(Q)mkdir -p vmlinux/$(ARCH)
	$(call msg,GEN,$(VMLINUX))
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $(VMLINUX)

$(OUTPUT) $(OUTPUT)/user $(OUTPUT)/tests $(BIN):
	$(Q)mkdir -p $@

# The version has one home, debian/changelog's first line ("tracekit
# (0.1.0) ..."; a native package, so no Debian revision): the Debian
# package and every --version read it there. $(VERSION_H) is rewritten
# only when the version changes, so a rebuild follows exactly then.
VERSION := $(shell sed -n '1{/^tracekit /s/^tracekit \([^ ]*\) .*/\1/p;}' debian/changelog | tr -d '()')
ifeq ($(VERSION),)
$(error debian/changelog: no "tracekit (VERSION)" on its first line)
endif
VERSION_H := $(OUTPUT)/tk_version.h
$(VERSION_H): FORCE | $(OUTPUT)
	$(Q)echo '#define TK_VERSION "$(VERSION)"' | cmp -s - $@ || \
		echo '#define TK_VERSION "$(VERSION)"' > $@
LINK_MODE := $(OUTPUT)/$(notdir $(BIN)).link
$(LINK_MODE): FORCE | $(OUTPUT)
	$(Q)echo 'STATIC=$(STATIC)' | cmp -s - $@ || echo 'STATIC=$(STATIC)' > $@

# The event registry (scripts/gen-registry): every include/tk_<domain>.h
# that defines TK_<D>_EVENTS(E) is included and its events listed, so a new
# tool edits no shared file. Its field names are checked against the libc
# macros of the headers user/ includes first (a field named errno fails
# here with its name, not inside every libtk object). The registry is
# rewritten only when it changes; everything that compiles waits for it.
REGISTRY := $(OUTPUT)/tk_registry.h
REGISTRY_STAMP := $(OUTPUT)/tk_registry.stamp
NAMECHECK := $(OUTPUT)/tk_namecheck.c
REGISTRY_HEADERS := $(sort $(wildcard include/tk_*.h))
REGISTRY_SOURCES := $(sort $(wildcard user/*.c user/*.h))
# the file lists, rewritten only when a file comes or goes (a removed
# header is newer than nothing: without this the registry kept it)
$(OUTPUT)/tk_registry.files: FORCE | $(OUTPUT)
	$(Q)echo '$(REGISTRY_HEADERS) -- $(REGISTRY_SOURCES)' | cmp -s - $@ || \
		echo '$(REGISTRY_HEADERS) -- $(REGISTRY_SOURCES)' > $@
$(REGISTRY_STAMP): $(REGISTRY_HEADERS) $(REGISTRY_SOURCES) $(OUTPUT)/tk_registry.files \
		scripts/gen-registry | $(OUTPUT) $(VERSION_H)
	$(call msg,GEN,$(REGISTRY))
	$(Q)scripts/gen-registry $(REGISTRY) $(NAMECHECK) $(REGISTRY_HEADERS) -- $(REGISTRY_SOURCES)
	$(Q)$(CC) $(TK_CFLAGS) $(CFLAGS) $(CPPFLAGS) -fsyntax-only $(NAMECHECK)
	$(Q)touch $@
# an (empty) recipe, so make looks at its time again once the stamp is
# remade: without one, what includes it was not rebuilt when it changed
$(REGISTRY): $(REGISTRY_STAMP) ;

# clang → bpftool gen object (links, strips DWARF) → bpftool gen skeleton
vpath %.bpf.c bpf benchmarks
$(OUTPUT)/%.bpf.o: %.bpf.c $(VMLINUX) | $(OUTPUT) $(REGISTRY_STAMP)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -MF $(OUTPUT)/$*.bpf.d -MT $@ -c $< -o $(OUTPUT)/$*.tmp.bpf.o
	$(Q)$(BPFTOOL) gen object $@ $(OUTPUT)/$*.tmp.bpf.o

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(LIB_OBJS): $(OUTPUT)/user/%.o: user/%.c | $(OUTPUT)/user $(REGISTRY_STAMP)
	$(call msg,CC,$@)
	$(Q)$(COMPILE) -c $< -o $@

$(APP_OBJS): $(OUTPUT)/user/%.o: user/%.c $(OUTPUT)/%.skel.h | $(OUTPUT)/user $(REGISTRY_STAMP)
	$(call msg,CC,$@)
	$(Q)$(COMPILE) -c $< -o $@

# Syscall names come from the installed UAPI header (asm/unistd.h of the
# target), never typed by hand: every __NR_<name> becomes X(<name>), and
# the C compiler resolves the numbers (some arches define them as aliases).
$(OUTPUT)/tk_syscalls.h: | $(OUTPUT)
	$(call msg,GEN,$@)
	$(Q)echo '#include <asm/unistd.h>' | $(CC) -E -dM -x c - | \
		awk '$$1 == "#define" && $$2 ~ /^__NR_[a-z0-9_]+$$/ && \
			$$2 != "__NR_syscalls" && $$2 != "__NR_arch_specific_syscall" \
			{ n[++k] = substr($$2, 6) } \
		END { if (!k) exit 1; \
			print "/* generated by the Makefile from <asm/unistd.h> */"; \
			print "#include <asm/unistd.h>"; print "#define TK_SYSCALLS(X) \\"; \
			for (i = 1; i <= k; i++) print "\tX(" n[i] ") \\"; print "" }' > $@.tmp
	$(Q)mv $@.tmp $@

$(OUTPUT)/user/tk_tables.o: $(OUTPUT)/tk_syscalls.h

$(LIBTK): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)$(AR) rcs $@ $^

# Kernel requirements come from the built objects, never by hand:
# scripts/kernel-table reads the helpers, kfuncs, maps and program types
# each object really uses and looks their releases up in
# scripts/bpf-features.tsv. It generates the runtime's probe table (in
# libtk) and the README's section (make kernel-table; make test checks it).
# The probe table covers every tool built; the README's only the suite's.
KTABLE_OBJS := $(patsubst %,$(OUTPUT)/%.bpf.o,$(APPS))
KTABLE_ALL_OBJS := $(patsubst %,$(OUTPUT)/%.bpf.o,$(TOOLS))
KTABLE = VMLINUX=$(VMLINUX) OBJDUMP=$(LLVM_OBJDUMP) BPFTOOL=$(BPFTOOL) scripts/kernel-table
$(OUTPUT)/tk_features.c: $(KTABLE_ALL_OBJS) scripts/kernel-table scripts/bpf-features.tsv | $(OUTPUT)
	$(call msg,GEN,$@)
	$(Q)$(KTABLE) c $(KTABLE_ALL_OBJS) > $@.tmp
	$(Q)mv $@.tmp $@
$(OUTPUT)/user/tk_features.o: $(OUTPUT)/tk_features.c | $(OUTPUT)/user $(REGISTRY_STAMP)
	$(call msg,CC,$@)
	$(Q)$(COMPILE) -c $< -o $@
$(LIBTK): $(OUTPUT)/user/tk_features.o

.PHONY: kernel-table kernel-table-check
kernel-table: $(KTABLE_OBJS) $(OUTPUT)/rbbench.bpf.o
	$(call msg,GEN,README.md)
	$(Q)$(KTABLE) readme README.md $(KTABLE_OBJS) $(OUTPUT)/rbbench.bpf.o:ring
kernel-table-check: $(KTABLE_OBJS) $(OUTPUT)/rbbench.bpf.o
	$(Q)$(KTABLE) check README.md $(KTABLE_OBJS) $(OUTPUT)/rbbench.bpf.o:ring

$(BIN)/%: $(OUTPUT)/user/%.o $(LIBTK) $(LINK_MODE) | $(BIN)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(TK_CFLAGS) $(CFLAGS) $(LDFLAGS) $(filter-out $(LINK_MODE),$^) $(TK_LDLIBS) \
		$(LINK_LIBS) -o $@

# tracekit: every tool's object (the same one its own binary links: its
# main is weak) with tracekit's main; the tools register themselves.
$(OUTPUT)/user/tracekit.o: user/tracekit.c | $(OUTPUT)/user $(REGISTRY_STAMP)
	$(call msg,CC,$@)
	$(Q)$(COMPILE) -c $< -o $@
$(BIN)/tracekit: $(OUTPUT)/user/tracekit.o $(APP_OBJS) $(LIBTK) $(LINK_MODE) | $(BIN)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(TK_CFLAGS) $(CFLAGS) $(LDFLAGS) $(filter-out $(LINK_MODE),$^) $(TK_LDLIBS) \
		$(LINK_LIBS) -o $@

# ---- tests ---------------------------------------------------------------
UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(wildcard tests/unit/test_*.c))
INTEG_TESTS := $(patsubst tests/integration/%.c,$(OUTPUT)/tests/%,$(wildcard tests/integration/test_*.c))
# Both kinds build into build/tests/: one name in both directories would
# build the unit test twice and never the integration test.
TEST_NAME_CLASH := $(filter $(notdir $(wildcard tests/unit/test_*.c)),$(notdir $(wildcard tests/integration/test_*.c)))
ifneq ($(TEST_NAME_CLASH),)
$(error tests/unit and tests/integration both have $(TEST_NAME_CLASH): rename one)
endif
HELPERS := $(patsubst tests/helpers/%.c,$(OUTPUT)/tests/%,$(wildcard tests/helpers/*.c))
TEST_LIB := $(OUTPUT)/tests/testlib.o

$(TEST_LIB): tests/lib/testlib.c | $(OUTPUT)/tests $(REGISTRY_STAMP)
	$(call msg,CC,$@)
	$(Q)$(COMPILE) -Itests/lib -c $< -o $@

# Unit and integration tests alike: the source, then the objects among the
# prerequisites (testlib.o, and a test's own extra ones), then the archive.
vpath test_%.c tests/unit tests/integration
$(OUTPUT)/tests/test_%: test_%.c $(LIBTK) $(TEST_LIB) | $(OUTPUT)/tests $(REGISTRY_STAMP)
	$(call msg,TEST,$@)
	$(Q)$(COMPILE) -Itests/lib $(EXTRA_CFLAGS) $(LDFLAGS) $< $(filter %.o,$^) $(LIBTK) \
		$(TK_LDLIBS) -lcmocka $(LINK_LIBS) -o $@

$(OUTPUT)/tests/%: tests/helpers/%.c $(wildcard tests/helpers/*.h) | $(OUTPUT)/tests $(REGISTRY_STAMP)
	$(call msg,CC,$@)
	$(Q)$(COMPILE) $(LDFLAGS) $< $(LINK_LIBS) -o $@
$(OUTPUT)/tests/twoexit: EXTRA_LDLIBS := -pthread

# rawstat and rawdecode read --raw files with the descriptor tables: they need libtk
$(OUTPUT)/tests/rawstat $(OUTPUT)/tests/rawdecode: $(LIBTK)
$(OUTPUT)/tests/rawstat $(OUTPUT)/tests/rawdecode: EXTRA_LDLIBS := $(LIBTK) $(TK_LDLIBS)

unit-tests: $(UNIT_TESTS)
integration-tests: all $(INTEG_TESTS) $(HELPERS)

# ---- sanitizers and fuzzing --------------------------------------------
# The unit tests once more, built with ASan+UBSan (no recovery: any report
# fails the test) in a tree of their own, so normal objects are untouched.
ASAN := $(OUTPUT)/asan
ASAN_CFLAGS := $(TK_CFLAGS) $(CFLAGS) $(CPPFLAGS) -Itests/lib -Ibenchmarks -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_UNIT_TESTS := $(patsubst tests/unit/%.c,$(ASAN)/tests/%,$(wildcard tests/unit/test_*.c))
ASAN_LIBTK := $(ASAN)/libtk.a

$(ASAN)/%.o: %.c | $(REGISTRY_STAMP)
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ASAN_CFLAGS) -MMD -MP -c $< -o $@

$(ASAN)/user/tk_tables.o: $(OUTPUT)/tk_syscalls.h
$(ASAN_LIBTK): $(patsubst user/%.c,$(ASAN)/user/%.o,$(LIB_SRCS)) $(ASAN)/$(OUTPUT)/tk_features.o
	$(call msg,AR,$@)
	$(Q)$(AR) rcs $@ $^
$(ASAN)/tests/test_benchstats: $(ASAN)/benchmarks/stats.o
$(ASAN)/tests/test_benchstats: EXTRA_LDLIBS := -lm
$(ASAN)/tests/test_%: $(ASAN)/tests/unit/test_%.o $(ASAN)/tests/lib/testlib.o $(ASAN_LIBTK)
	$(call msg,TEST,$@)
	$(Q)$(CC) $(ASAN_CFLAGS) $(LDFLAGS) $(filter %.o,$^) $(ASAN_LIBTK) $(TK_LDLIBS) -lcmocka \
		$(LINK_LIBS) -o $@
asan-unit-tests: $(ASAN_UNIT_TESTS)

# libFuzzer target for the decoder (tests/fuzz/). `make fuzz` runs it for
# FUZZ_SECS; `make test` for 30 s. New inputs go to $(FUZZ)/corpus, never
# into the committed seeds (tests/fuzz/corpus/, made by scripts/fuzz-corpus).
FUZZ := $(OUTPUT)/fuzz
FUZZ_SECS ?= 180
FUZZER := $(FUZZ)/fuzz_decoder
# Coverage instrumentation only for the decoder: the checker's own
# branches would guide nothing and made each input several times slower.
FUZZ_CFLAGS := -g -O1 -std=gnu11 -Wall -Wextra -Werror -Iinclude -Iuser -I$(OUTPUT) -Itests/lib \
	$(LIBBPF_CFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_DECODER := user/tk_output.c user/tk_events.c user/tk_tables.c user/tk_cgroup.c
FUZZ_OBJS := $(patsubst %.c,$(FUZZ)/%.o,tests/fuzz/fuzz_decoder.c tests/lib/testlib.c $(FUZZ_DECODER))

$(patsubst %.c,$(FUZZ)/%.o,$(FUZZ_DECODER)): FUZZ_CFLAGS += -fsanitize=fuzzer-no-link
$(FUZZ)/%.o: %.c | $(REGISTRY_STAMP)
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ)/user/tk_tables.o: $(OUTPUT)/tk_syscalls.h
$(FUZZER): $(FUZZ_OBJS)
	$(call msg,FUZZER,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(LDFLAGS) -fsanitize=fuzzer $^ $(TK_LDLIBS) -lcmocka $(LINK_LIBS) -o $@
fuzzer: $(FUZZER)
fuzz: $(FUZZER)
	$(Q)tests/fuzz/run-fuzz $(FUZZ_SECS)

# deps first, then everything else (also under make -j). Every test binary
# runs even if one fails; the last line is the tally.
test: deps
	$(Q)$(MAKE) all unit-tests integration-tests asan-unit-tests fuzzer
	$(Q)$(MAKE) kernel-table-check
	$(Q)tests/run-tests $(UNIT_TESTS) $(ASAN_UNIT_TESTS) $(INTEG_TESTS) tests/fuzz/run-fuzz \
		tests/new-tool-test tests/docs-test tests/static-test tests/bench-lib-test scripts/check-package

# make new-tool NAME=x: a one-tracepoint tool and its test, from
# scripts/template (docs/new-tool.md). tests/new-tool-test, in make test,
# runs it in a clean copy of the tree, so the template cannot rot.
.PHONY: new-tool
new-tool:
	$(Q)scripts/new-tool $(NAME)

# ---- benchmarks: `make bench` runs every bench-* target ---------------------
# benches
BENCHES = \
	bench-rb \
	bench-sys \
	bench-file \
	bench-proc \
	bench-net \
	bench-bytes \
	bench-coexist \
	bench-cgroup \
	bench-tracekit \
	#
# LIBBPF_TOOLS=DIR: bcc libbpf-tools built by scripts/build-libbpf-tools;
# bench-file, -sys, -proc and -net then add their peer rows and targets
export LIBBPF_TOOLS
# Each bench and the whole run end with a line of scripts/bench-quiet: the
# CPU time the hypervisor took meanwhile (steal), so a target missed on a
# busy host is told from one tracekit misses.
bench: deps
	$(Q)$(MAKE) all
	$(Q)m=$$(mktemp) && a=$$(mktemp) && trap 'rm -f "$$m" "$$a"' EXIT && \
		scripts/bench-quiet mark "$$a" && \
		for b in $(BENCHES); do \
			scripts/bench-quiet mark "$$m" && $(MAKE) $$b && \
			scripts/bench-quiet report $$b "$$m" || exit 1; \
		done && scripts/bench-quiet report "make bench" "$$a"

# bench-file: open+close loop (tests/helpers/openloop.c), untraced /
# filetrace / its floor (tkfloor) / bpftrace's opensnoop.bt
.PHONY: bench-file
bench-file: $(BIN)/filetrace $(BIN)/tkfloor $(OUTPUT)/tests/openloop
	$(Q)command -v bpftrace >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bpftrace >/dev/null; } || \
		echo "bench-file: could not install bpftrace; its row is skipped" >&2
	$(Q)scripts/bench-file
# bench-proc: fork+exec loop (tests/helpers/execburst.c), untraced /
# proctrace / bpftrace's execsnoop.bt
.PHONY: bench-proc
bench-proc: $(BIN)/proctrace $(OUTPUT)/tests/execburst
	$(Q)scripts/bench-proc
# syscalltrace against no tracer, strace, perf trace, bpftrace (README).
bench-sys: all $(OUTPUT)/tests/syscallwork
	$(Q)scripts/bench-sys

# bench-cgroup: --cgroup's in-kernel cost per event against -p (bpf_stats)
.PHONY: bench-cgroup
bench-cgroup: all $(OUTPUT)/tests/syscallwork
	$(Q)scripts/bench-cgroup

# rbbench: ring/perf buffer transports and wakeup policies (benchmarks/).
RBB_OUT ?= $(OUTPUT)/bench
RBB_OBJS := $(patsubst benchmarks/%.c,$(OUTPUT)/benchmarks/%.o,\
	$(filter-out %.bpf.c benchmarks/tkfloor.c,$(wildcard benchmarks/*.c)))
all: $(BIN)/rbbench $(BIN)/tkfloor
.PHONY: bench-rb

$(OUTPUT)/benchmarks:
	$(Q)mkdir -p $@

$(OUTPUT)/benchmarks/rbbench_run.o: $(OUTPUT)/rbbench.skel.h
$(OUTPUT)/benchmarks/tkfloor.o: $(OUTPUT)/tkfloor.skel.h
$(RBB_OBJS) $(OUTPUT)/benchmarks/tkfloor.o: $(OUTPUT)/benchmarks/%.o: benchmarks/%.c | $(OUTPUT)/benchmarks $(REGISTRY_STAMP)
	$(call msg,CC,$@)
	$(Q)$(COMPILE) -c $< -o $@

# rbbench's own threads are covered by TK_LDLIBS' -pthread; -lm for its
# and stats.c's math (ceil, fmin, fmod: calls below -O2).
$(BIN)/rbbench: EXTRA_LDLIBS := -lm
$(BIN)/rbbench: $(RBB_OBJS) $(LIBTK) $(LINK_MODE) | $(BIN)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(TK_CFLAGS) $(CFLAGS) $(LDFLAGS) $(filter-out $(LINK_MODE),$^) $(TK_LDLIBS) \
		$(LINK_LIBS) -o $@

# tkfloor: the benches' floor rows, empty programs of a chosen attach type
$(BIN)/tkfloor: $(OUTPUT)/benchmarks/tkfloor.o $(LIBTK) | $(BIN)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(TK_CFLAGS) $(CFLAGS) $(LDFLAGS) $^ $(TK_LDLIBS) $(LINK_LIBS) -o $@

# the statistics' unit test needs the stats object besides libtk.a
$(OUTPUT)/tests/test_benchstats: $(OUTPUT)/benchmarks/stats.o
$(OUTPUT)/tests/test_benchstats: EXTRA_CFLAGS := -Ibenchmarks
$(OUTPUT)/tests/test_benchstats: EXTRA_LDLIBS := -lm

# The default matrix, the end-to-end row and the pipe check: < 4 minutes on 2 idle cores; writes $(RBB_OUT)/rbbench.{txt,csv,jsonl,png}
bench-rb: $(BIN)/rbbench $(BIN)/proctrace
	$(Q)$(BIN)/rbbench --proctrace $(BIN)/proctrace -o $(RBB_OUT)

# what leaving tracepoint events to perf costs: an open+close loop untraced,
# under perf stat, beside filetrace, and both (scripts/bench-coexist)
.PHONY: bench-coexist
bench-coexist: $(BIN)/filetrace $(OUTPUT)/tests/openloop
	$(Q)scripts/bench-coexist

# nettrace: loopback connections/s with no tracer, nettrace, bpftrace
.PHONY: bench-net
bench-net: all $(OUTPUT)/tests/connloop
	$(Q)scripts/bench-net

# a real build untraced, under tracekit trace and under strace
.PHONY: bench-tracekit
bench-tracekit: all
	$(Q)scripts/bench-tracekit

# bytes sent per record vs meaningful bytes, every tool and transport
.PHONY: bench-bytes
bench-bytes: all $(OUTPUT)/tests/rawstat $(OUTPUT)/tests/connloop
	$(Q)scripts/bench-bytes

# ---- man pages and bash completion -----------------------------------------
# Generated by scripts/gen-docs from the tools' own description (bin/tracekit
# --describe: every tool built and tracekit trace; rbbench's --help), with
# the prose of man/<page>.8.in (man/tool.8.in for a tool that has none, so
# a new tool's page needs no edit) and man/common.mdoc. tests/docs-test
# lints every page and checks them and the completion against --help.
DOCS := $(OUTPUT)/docs
DESCRIPTION := $(DOCS)/describe.tsv
MAN_PAGES := $(patsubst %,$(DOCS)/%.8,$(TOOLS) tracekit rbbench)
COMPLETION := $(DOCS)/tracekit.bash
all: $(MAN_PAGES) $(COMPLETION)

$(DOCS):
	$(Q)mkdir -p $@
# rbbench's help through a file, not a pipe: sh has no pipefail, and a
# failing rbbench --help must fail the build, not shorten its page
$(DESCRIPTION): $(BIN)/tracekit $(BIN)/rbbench scripts/gen-docs | $(DOCS)
	$(call msg,GEN,$@)
	$(Q){ $(BIN)/tracekit --describe && $(BIN)/rbbench --help > $@.rbbench && \
		scripts/gen-docs help2desc rbbench < $@.rbbench; } > $@.tmp
	$(Q)rm -f $@.rbbench
	$(Q)mv $@.tmp $@
$(DOCS)/%.8: $(DESCRIPTION) man/common.mdoc $(wildcard man/*.8.in)
	$(call msg,GEN,$@)
	$(Q)scripts/gen-docs man $* $(DESCRIPTION) $(firstword $(wildcard man/$*.8.in) man/tool.8.in) \
		man/common.mdoc > $@.tmp
	$(Q)mv $@.tmp $@
$(COMPLETION): $(DESCRIPTION)
	$(call msg,GEN,$@)
	$(Q)scripts/gen-docs completion $(DESCRIPTION) > $@.tmp
	$(Q)mv $@.tmp $@
# make install [DESTDIR=...] [PREFIX=...] (below): the suite's binaries in
# sbin (root tools, as bcc's and bpftool), their pages, the completion (one
# file, and a link by each command's name: bash-completion loads
# completions/<command>) and the README. make uninstall removes exactly
# these (and the doc directory once empty).
SBINDIR = $(PREFIX)/sbin
MAN8DIR = $(PREFIX)/share/man/man8
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
DOCDIR = $(PREFIX)/share/doc/tracekit
INSTALL_CMDS := $(APPS) tracekit rbbench
INSTALLED = $(addprefix $(DESTDIR)$(SBINDIR)/,$(INSTALL_CMDS)) \
	$(patsubst %,$(DESTDIR)$(MAN8DIR)/%.8,$(INSTALL_CMDS)) \
	$(addprefix $(DESTDIR)$(BASHCOMPDIR)/,$(INSTALL_CMDS)) $(DESTDIR)$(DOCDIR)/README.md
.PHONY: uninstall

# ---- demo, deps, install ------------------------------------------------
demo: deps
	$(Q)$(MAKE) all
	$(Q)scripts/demo

# Debian/Ubuntu packages for building and testing (valgrind: leak test;
# gnuplot-nox: make bench's chart; libclang-rt-dev: clang's libFuzzer and
# sanitizer runtimes).
DEB_PKGS := clang libclang-rt-dev llvm libbpf-dev bpftool libelf-dev zlib1g-dev libcmocka-dev \
	pkg-config make gcc valgrind gnuplot-nox \
	linux-perf strace bpftrace
# ensure-pkgs PKGS: install whichever of PKGS is missing (apt), or name
# them and fail where there is no apt
define ensure-pkgs
	$(Q)missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null \
		| grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if ! command -v apt-get >/dev/null; then \
			echo "$@: please install:" $$missing >&2; exit 1; fi; \
		echo "$@: installing" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
endef
deps:
	$(call ensure-pkgs,$(DEB_PKGS))
	$(Q)$(MAKE) metrics-deps

# The Debian package (debian/): `make check-package` builds it with
# dpkg-buildpackage from a copy of the tracked tree, installs it, runs a
# tool and its man page from it, and removes it (scripts/check-package).
# make test builds the package too (without installing it)
# (build-essential: dpkg-checkbuilddeps requires it, a clean host lacks it)
DEB_PKGS += debhelper dpkg-dev man-db build-essential
.PHONY: check-package unit-check
check-package: deps
	$(Q)scripts/check-package --install

# for scripts: the version and the installed commands, as make sees them
.PHONY: print-version print-tools
print-version:
	@echo $(VERSION)
print-tools:
	@echo $(INSTALL_CMDS)

# the unit tests alone: no root, no BPF (the package build's test step)
unit-check: unit-tests
	$(Q)tests/run-tests $(UNIT_TESTS)

# test_metrics runs Debian's node_exporter and promtool. Their packages
# are not installed: prometheus-node-exporter's and prometheus's postinst
# start services (:9100, :9090) that a build or CI host must not be left
# with. Only the two binaries (Go: they need libc alone) are taken out of
# the .debs that apt-get download fetches, into $(METRICS_DEPS)/usr/bin;
# the test looks there first, then in /usr/bin. $(METRICS_DEPS) is outside
# the tree: `sudo make deps` must not create build/ as root (the user's
# `make` could not write it), and `make clean` need not fetch them again.
# Each binary is extracted into a temporary directory and renamed into
# place, so an interrupted extraction cannot leave a truncated file that
# the [ -x ] check would accept from then on.
METRICS_DEPS ?= /var/cache/tracekit/metrics-deps
METRICS_BINS := usr/bin/prometheus-node-exporter:prometheus-node-exporter usr/bin/promtool:prometheus
metrics-deps:
	$(Q)for b in $(METRICS_BINS); do f=$${b%%:*}; pkg=$${b##*:}; \
		[ -x $(METRICS_DEPS)/$$f ] && continue; \
		mkdir -p $(METRICS_DEPS)/debs $(METRICS_DEPS)/usr/bin && \
		(cd $(METRICS_DEPS)/debs && rm -f $${pkg}_*.deb && { apt-get download -qq $$pkg 2>/dev/null || \
			{ apt-get update -qq && apt-get download -qq $$pkg; }; }) && \
		tmp=$$(mktemp -d $(METRICS_DEPS)/tmp.XXXXXX) && \
		{ dpkg-deb --fsys-tarfile $(METRICS_DEPS)/debs/$${pkg}_*.deb | tar -x -C $$tmp ./$$f && \
			mv -f $$tmp/$$f $(METRICS_DEPS)/$$f; rc=$$?; rm -rf $$tmp; [ $$rc = 0 ]; } && \
		rm -f $(METRICS_DEPS)/debs/$${pkg}_*.deb && echo "metrics-deps: $(METRICS_DEPS)/$$f" || exit 1; \
	done
# the test finds the binaries where this Makefile put them
$(OUTPUT)/tests/test_metrics: EXTRA_CFLAGS := -DTK_METRICS_DEPS='"$(METRICS_DEPS)"'

install: all
	$(Q)install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MAN8DIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(DOCDIR)
	$(Q)install -m 0755 $(addprefix $(BIN)/,$(INSTALL_CMDS)) $(DESTDIR)$(SBINDIR)/
	$(Q)install -m 0644 $(patsubst %,$(DOCS)/%.8,$(INSTALL_CMDS)) $(DESTDIR)$(MAN8DIR)/
	$(Q)install -m 0644 $(COMPLETION) $(DESTDIR)$(BASHCOMPDIR)/tracekit
	$(Q)for c in $(filter-out tracekit,$(INSTALL_CMDS)); do \
		ln -sf tracekit $(DESTDIR)$(BASHCOMPDIR)/$$c || exit 1; done
	$(Q)install -m 0644 README.md $(DESTDIR)$(DOCDIR)/

uninstall:
	$(Q)rm -f $(INSTALLED)
	$(Q)! [ -d $(DESTDIR)$(DOCDIR) ] || rmdir --ignore-fail-on-non-empty $(DESTDIR)$(DOCDIR)

# for make deps: tests/docs-test lints with mandoc and completes with
# bash-completion's functions (_command_offset, _filedir)
DEB_PKGS += mandoc bash-completion

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT) $(BIN)

-include $(wildcard $(OUTPUT)/*.d $(OUTPUT)/user/*.d $(OUTPUT)/tests/*.d $(OUTPUT)/benchmarks/*.d \
	$(ASAN)/*/*.d $(ASAN)/*/*/*.d $(FUZZ)/*/*.d $(FUZZ)/*/*/*.d)

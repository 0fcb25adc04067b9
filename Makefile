# vmwire - user-space virtual networking for VMs and network namespaces.
#
#   make            build/vmwire (and build/libvmwire.a, the embeddable library)
#   make check      unit tests, then namespace and QEMU integration tests,
#                   against the normal and the ASan+UBSan build (the
#                   include layering is one of them: tests/integration/
#                   check_layers.sh)
#   make layers     only the include layering check (tools/check-layers.sh)
#   make asan       build-asan/vmwire with AddressSanitizer + UBSan
#   make install    PREFIX=/usr/local DESTDIR=
#   make fuzz       build-fuzz/fuzz_* libFuzzer targets (clang; see tests/fuzz/README.md)
#   make fuzz-smoke each fuzz target for FUZZ_SECS seconds on its corpus
#   make man        regenerate doc/vmwire.1's NETDEV TYPES from the registry
#
# Sources are discovered, so adding a file under src/ needs no edit here.

CC      ?= cc
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
UNITDIR ?= $(PREFIX)/lib/systemd/system
UNITS   := vmwire.service vmwire@.service vmwire.socket vmwire-monitor.socket vmwire-qmp.socket
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

BUILD   ?= build
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter
CFLAGS  ?= -O2 -g
# -fPIC: the same objects make the static and the shared library.
override CFLAGS += -std=c11 -D_GNU_SOURCE $(WARN) -Isrc -Iinclude -DVMWIRE_VERSION='"$(VERSION)"' \
           -fno-strict-aliasing -fPIC -MMD -MP
# Libraries found through pkg-config (a name each; another module needing
# one adds it here): before tools/ensure-deps.sh installed the -dev
# package, pkg-config knows nothing, so each falls back to -lNAME (without
# a "lib" prefix: libsystemd is -lsystemd).
PKG_LIBS := json-c libsystemd
override CFLAGS += $(foreach p,$(PKG_LIBS),$(shell pkg-config --cflags $(p) 2>/dev/null))
override LDLIBS += -lmnl -lseccomp \
	$(foreach p,$(PKG_LIBS),$(shell pkg-config --libs $(p) 2>/dev/null || echo -l$(patsubst lib%,%,$(p))))

LIB_SRCS  := $(shell find src -name '*.c' ! -path 'src/main.c' | sort)
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TEST_LIB_SRCS := $(wildcard tests/unit/helpers/*.c)

ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=undefined

# libFuzzer: the same library sources built by clang into build-fuzz/ with
# coverage hooks (fuzzer-no-link), one binary per tests/fuzz/fuzz_*.c.
FUZZ_CC    ?= clang
FUZZ_FLAGS := $(ASAN_FLAGS) -fsanitize=fuzzer-no-link
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS  := $(FUZZ_SRCS:tests/fuzz/%.c=build-fuzz/%)
FUZZ_SECS  ?= 20

.PHONY: all deps asan check check-unit check-integration unit install uninstall clean fuzz fuzz-smoke \
	fuzz-bins man

SONAME := libvmwire.so.$(firstword $(subst ., ,$(VERSION)))

all: $(BUILD)/vmwire $(BUILD)/libvmwire.a $(BUILD)/$(SONAME)

# A fresh Debian machine lacks libmnl-dev: install it (as root) or say so.
deps:
	@tools/ensure-deps.sh build

# Objects depend on the flags they were built with: a change of CFLAGS
# (say -fPIC) rebuilds them instead of linking stale ones.
FLAGS_TEXT := $(subst ',,$(CC) $(CFLAGS))
$(BUILD)/cflags.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(FLAGS_TEXT)' | cmp -s - $@ || echo '$(FLAGS_TEXT)' >$@

.PHONY: FORCE
FORCE:

$(BUILD)/%.o: %.c $(BUILD)/cflags.stamp | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libvmwire.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

# The shared library exports the vmwire_* API of include/vmwire.h only.
$(BUILD)/$(SONAME): $(LIB_OBJS) tools/libvmwire.map
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,$(SONAME) \
		-Wl,--version-script,tools/libvmwire.map -o $@ $(LIB_OBJS) $(LDLIBS)

$(BUILD)/vmwire: $(BUILD)/src/main.o $(BUILD)/libvmwire.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(TEST_LIB_SRCS) $(BUILD)/libvmwire.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(TEST_LIB_SRCS) $(BUILD)/libvmwire.a $(LDLIBS) -lcmocka

unit: $(UNIT_BINS)

asan:
	$(MAKE) BUILD=build-asan CFLAGS="$(ASAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" all unit

fuzz:
	@command -v $(FUZZ_CC) >/dev/null || { echo "make fuzz: needs $(FUZZ_CC) (libFuzzer)" >&2; exit 1; }
	$(MAKE) BUILD=build-fuzz CC=$(FUZZ_CC) CFLAGS="$(FUZZ_FLAGS)" fuzz-bins

fuzz-bins: $(FUZZ_BINS)

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(BUILD)/libvmwire.a
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/libvmwire.a $(LDLIBS)

# New inputs go to build-fuzz/corpus/, the checked-in seeds stay read-only.
# One rule per target, so `make -jN fuzz-smoke` runs N fuzzers at once
# (each harness that opens sockets does so in its own network namespace).
FUZZ_SMOKES := $(patsubst build-fuzz/%,fuzz-smoke-%,$(FUZZ_BINS))
.PHONY: $(FUZZ_SMOKES)
fuzz-smoke: $(FUZZ_SMOKES)

$(FUZZ_SMOKES): fuzz-smoke-%: fuzz
	@t=$*; f=build-fuzz/$$t; mkdir -p build-fuzz/corpus/$$t build-fuzz/artifacts; \
	echo "fuzz-smoke: $$t for $(FUZZ_SECS)s"; \
	$$f -max_total_time=$(FUZZ_SECS) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=build-fuzz/artifacts/$$t- \
		build-fuzz/corpus/$$t tests/fuzz/corpus/$$t >build-fuzz/$$t.log 2>&1 || \
		{ tail -n 60 build-fuzz/$$t.log; echo "fuzz-smoke: $$t FAILED, see build-fuzz/$$t.log"; exit 1; }; \
	echo "fuzz-smoke: $$t $$(grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' build-fuzz/$$t.log | tail -n 1)"

# A lower layer of src/ including a higher one fails here (and in make check).
.PHONY: layers
layers:
	@tools/check-layers.sh

check:
	@tools/ensure-deps.sh test
	$(MAKE) all unit
	tests/run.sh

check-unit:
	@tools/ensure-deps.sh test
	$(MAKE) all unit
	tests/run.sh --unit-only

# The netdev types' part of the man page is what the registry prints (each
# type's keys and descriptions live in its own file); test_netdev_registry
# fails when the committed page differs.
man: $(BUILD)/vmwire
	$(BUILD)/vmwire --help-man-netdevs >$(BUILD)/netdev-types.man
	awk -v gen=$(BUILD)/netdev-types.man \
		'index($$0, "END NETDEV TYPES") { skip = 0 } !skip { print } \
		 index($$0, "BEGIN NETDEV TYPES") { while ((getline l < gen) > 0) print l; skip = 1 }' \
		doc/vmwire.1 >$(BUILD)/vmwire.1.new
	mv $(BUILD)/vmwire.1.new doc/vmwire.1

install: all
	install -D -m 0755 $(BUILD)/vmwire $(DESTDIR)$(BINDIR)/vmwire
	install -D -m 0644 doc/vmwire.1 $(DESTDIR)$(MANDIR)/man1/vmwire.1
	install -D -m 0644 include/vmwire.h $(DESTDIR)$(INCDIR)/vmwire.h
	install -D -m 0644 $(BUILD)/libvmwire.a $(DESTDIR)$(LIBDIR)/libvmwire.a
	install -D -m 0755 $(BUILD)/$(SONAME) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libvmwire.so
	@mkdir -p $(DESTDIR)$(UNITDIR)
	for u in $(UNITS); do \
		sed 's|@BINDIR@|$(BINDIR)|g' dist/systemd/$$u >$(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	@mkdir -p $(DESTDIR)$(LIBDIR)/pkgconfig
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCDIR@|$(INCDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' tools/vmwire.pc.in >$(DESTDIR)$(LIBDIR)/pkgconfig/vmwire.pc

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/vmwire $(DESTDIR)$(MANDIR)/man1/vmwire.1 \
		$(DESTDIR)$(INCDIR)/vmwire.h $(DESTDIR)$(LIBDIR)/libvmwire.a \
		$(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libvmwire.so \
		$(DESTDIR)$(LIBDIR)/pkgconfig/vmwire.pc $(addprefix $(DESTDIR)$(UNITDIR)/,$(UNITS))

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

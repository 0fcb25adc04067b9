# vmwire - user-space virtual networking for VMs and network namespaces.
#
#   make            build/vmwire (and build/libvmwire.a, the embeddable library)
#   make check      unit tests, then namespace and QEMU integration tests,
#                   against the normal and the ASan+UBSan build
#   make asan       build-asan/vmwire with AddressSanitizer + UBSan
#   make install    PREFIX=/usr/local DESTDIR=
#
# Sources are discovered, so adding a file under src/ needs no edit here.

CC      ?= cc
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

BUILD   ?= build
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter
CFLAGS  ?= -O2 -g
override CFLAGS += -std=c11 -D_GNU_SOURCE $(WARN) -Isrc -DVMWIRE_VERSION='"$(VERSION)"' \
           -fno-strict-aliasing -MMD -MP
override LDLIBS += -lmnl

LIB_SRCS  := $(shell find src -name '*.c' ! -path 'src/main.c' | sort)
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TEST_LIB_SRCS := $(wildcard tests/unit/helpers/*.c)

ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=undefined

.PHONY: all asan check check-unit check-integration unit install uninstall clean fuzz fuzz-smoke

all: $(BUILD)/vmwire $(BUILD)/libvmwire.a

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libvmwire.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/vmwire: $(BUILD)/src/main.o $(BUILD)/libvmwire.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(TEST_LIB_SRCS) $(BUILD)/libvmwire.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(TEST_LIB_SRCS) $(BUILD)/libvmwire.a $(LDLIBS) -lcmocka

unit: $(UNIT_BINS)

asan:
	$(MAKE) BUILD=build-asan CFLAGS="$(ASAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" all unit

check: all unit
	tests/run.sh

check-unit: all unit
	tests/run.sh --unit-only

install: $(BUILD)/vmwire
	install -D -m 0755 $(BUILD)/vmwire $(DESTDIR)$(BINDIR)/vmwire
	install -D -m 0644 doc/vmwire.1 $(DESTDIR)$(MANDIR)/man1/vmwire.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/vmwire $(DESTDIR)$(MANDIR)/man1/vmwire.1

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

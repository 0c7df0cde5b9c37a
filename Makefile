# kmemleak.so - a crash(8) extension that finds unreferenced kernel memory.
#
#   make              build kmemleak.so
#   make install      install into $(DESTDIR)/usr/lib/crash/extensions
#   make unit         engine unit tests, plain and under ASan/UBSan
#   make offsets-tool build/aliasdump: the alias table of a vmlinux
#   make test         everything: unit tests and end-to-end tests on real dumps
#   make clean
#
# The folders are the design (README: Layout):
#   engine/   the scan engine and the pure decoders: compiled WITHOUT crash's
#             include path (a wildcard over the folder), so nothing there can
#             use crash by accident; unit-tested and fuzzed alone.
#   offsets/  the alias table (interior offsets of struct types) read from
#             the kernel's DWARF with elfutils (libdw, libelf), cached by
#             build id: no crash headers either; its table and cache files
#             are unit-tested with the engine.
#   dump/     reading the dump through crash, and the debuginfo answers.
#   readers/  the crash-facing readers: the dump -> blocks and roots.
#   arch/     one file per architecture behind arch/arch.h.
#   report/   what memleak prints.
#   kmemleak.c the entry point: command table, options, order of the phases.
#
# CRASH_INCLUDE names the directory of the crash's defs.h to build against;
# ARCH_DEF the crash target (-DX86_64, -DARM64).

CC       ?= gcc
ARCH_DEF ?= -DX86_64
CRASH_INCLUDE ?= /usr/include/crash
CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra
CFLAGS   += $(WARN) -fPIC -std=gnu11
PREFIX   ?= /usr
EXTDIR   ?= $(PREFIX)/lib/crash/extensions
BUILD    ?= build

ENGINE_SRCS := $(wildcard engine/*.c)
CRASH_SRCS  := kmemleak.c $(wildcard dump/*.c arch/*.c readers/*.c report/*.c)
ENGINE_HDRS := $(wildcard engine/*.h)
CRASH_HDRS  := $(wildcard dump/*.h arch/*.h readers/*.h report/*.h)
# offsets/: aliasdump.c is the command-line tool's main, not the .so's;
# dwarf.c needs libdw, the rest (the table, the cache) is pure C.
OFFSETS_TOOL := offsets/aliasdump.c
OFFSETS_SRCS := $(filter-out $(OFFSETS_TOOL),$(wildcard offsets/*.c))
OFFSETS_PURE := $(filter-out offsets/dwarf.c,$(OFFSETS_SRCS))
OFFSETS_HDRS := $(wildcard offsets/*.h)
ELFUTILS_LIBS := -ldw -lelf

ENGINE_OBJS := $(patsubst %.c,$(BUILD)/so/%.o,$(ENGINE_SRCS))
OFFSETS_OBJS := $(patsubst %.c,$(BUILD)/so/%.o,$(OFFSETS_SRCS))
CRASH_OBJS  := $(patsubst %.c,$(BUILD)/so/%.o,$(CRASH_SRCS))
CRASH_INCS  := -I$(CRASH_INCLUDE) -Idump -Iarch -Ireaders -Ireport -Iengine \
	       -Ioffsets

all: kmemleak.so

# The engine: no crash include path, no ARCH_DEF.
$(BUILD)/so/engine/%.o: engine/%.c $(ENGINE_HDRS) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iengine -c -o $@ $<

# offsets/: no crash include path either; the engine's headers (FNV-1a).
$(BUILD)/so/offsets/%.o: offsets/%.c $(OFFSETS_HDRS) $(ENGINE_HDRS) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ioffsets -Iengine -c -o $@ $<

$(BUILD)/so/%.o: %.c $(ENGINE_HDRS) $(OFFSETS_HDRS) $(CRASH_HDRS) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ARCH_DEF) $(CRASH_INCS) -c -o $@ $<

kmemleak.so: $(ENGINE_OBJS) $(OFFSETS_OBJS) $(CRASH_OBJS)
	$(CC) $(CFLAGS) -shared -o $@ $^ $(ELFUTILS_LIBS)

# The same sources against another crash's defs.h, in a build tree of its
# own: make BUILD=build/crash-X CRASH_INCLUDE=<dir> $(BUILD)/kmemleak.so
$(BUILD)/kmemleak.so: $(ENGINE_OBJS) $(OFFSETS_OBJS) $(CRASH_OBJS)
	$(CC) $(CFLAGS) -shared -o $@ $^ $(ELFUTILS_LIBS)

# For a crash built with target=ARM64 (arm64 dumps, read on an x86_64 host):
#   make arm64 CRASH_INCLUDE=<that crash's tree>   -> build/arm64/kmemleak.so
# (the same sources; arch/arm64.c is the architecture's side of the seam).
arm64:
	$(MAKE) BUILD=build/arm64 ARCH_DEF=-DARM64 build/arm64/kmemleak.so

# The alias table's command-line tool (offsets/aliasdump.c): figures of a
# vmlinux's table, one type's offsets and members; tests/offsets.sh uses it.
offsets-tool: $(BUILD)/aliasdump

$(BUILD)/aliasdump: $(OFFSETS_TOOL) $(OFFSETS_SRCS) $(OFFSETS_HDRS) \
		    engine/json_write.c $(ENGINE_HDRS) Makefile
	@mkdir -p $(BUILD)
	$(CC) -O2 -g $(WARN) -std=gnu11 -Ioffsets -Iengine -o $@ \
		$(OFFSETS_TOOL) $(OFFSETS_SRCS) engine/json_write.c \
		$(ELFUTILS_LIBS)

# The benchmark's raw reader (bench/rawread.c): memleak's struct page
# predicates and dump reads, so both read the same pages.
RAWREAD_SRCS := bench/rawread.c $(wildcard dump/*.c arch/*.c) readers/pageflags.c
# (against another crash: make BUILD=... CRASH_INCLUDE=... $(BUILD)/rawread.so)
bench/rawread.so $(BUILD)/rawread.so: $(RAWREAD_SRCS) $(ENGINE_OBJS) $(ENGINE_HDRS) $(CRASH_HDRS) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ARCH_DEF) $(CRASH_INCS) -shared -o $@ $(RAWREAD_SRCS) \
		$(ENGINE_OBJS)

install: kmemleak.so
	install -d $(DESTDIR)$(EXTDIR)
	install -m 0755 kmemleak.so $(DESTDIR)$(EXTDIR)/kmemleak.so

# ---- unit tests of the engine ----------------------------------------------
UNIT_SRCS := $(wildcard tests/unit/*.c)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	     -fno-omit-frame-pointer

UNIT_DEPS := $(UNIT_SRCS) $(ENGINE_SRCS) $(ENGINE_HDRS) $(OFFSETS_PURE) \
	     $(OFFSETS_HDRS) Makefile

$(BUILD)/unit: $(UNIT_DEPS)
	@mkdir -p $(BUILD)
	$(CC) -O2 -g $(WARN) -std=gnu11 -Iengine -Ioffsets -o $@ \
		$(UNIT_SRCS) $(ENGINE_SRCS) $(OFFSETS_PURE)

$(BUILD)/unit-san: $(UNIT_DEPS)
	@mkdir -p $(BUILD)
	$(CC) -O1 -g $(WARN) -std=gnu11 $(SAN_FLAGS) -Iengine -Ioffsets -o $@ \
		$(UNIT_SRCS) $(ENGINE_SRCS) $(OFFSETS_PURE)

unit: $(BUILD)/unit $(BUILD)/unit-san
	$(BUILD)/unit
	$(BUILD)/unit-san

test: kmemleak.so
	tests/run-all.sh

clean:
	rm -rf $(BUILD) kmemleak.so bench/rawread.so

.PHONY: all install unit test clean offsets-tool arm64

# kmemleak.so - a crash(8) extension that finds unreferenced kernel memory.
#
#   make              build kmemleak.so
#   make install      install into $(DESTDIR)/usr/lib/crash/extensions
#   make unit         engine unit tests, plain and under ASan/UBSan
#   make test         everything: unit tests and end-to-end tests on real dumps
#   make clean

CC       ?= gcc
ARCH_DEF ?= -DX86_64
CRASH_INCLUDE ?= /usr/include/crash
CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra
CFLAGS   += $(WARN) -fPIC -std=gnu11
PREFIX   ?= /usr
EXTDIR   ?= $(PREFIX)/lib/crash/extensions

# The engine and the pure decoders: no crash headers (unit-tested alone).
ENGINE_SRCS := extension/blocks.c extension/scan.c extension/report.c \
	$(wildcard extension/stackdepot.c extension/track.c extension/pageowner.c \
		   extension/classify.c extension/kmlobject.c)
# The crash-facing readers: everything else under extension/.
CRASH_SRCS  := $(filter-out $(ENGINE_SRCS),$(wildcard extension/*.c))
SRCS        := kmemleak.c $(CRASH_SRCS) $(ENGINE_SRCS)
HDRS        := $(wildcard extension/*.h)

BUILD := build

all: kmemleak.so

kmemleak.so: $(SRCS) $(HDRS) Makefile
	$(CC) $(CFLAGS) $(ARCH_DEF) -I$(CRASH_INCLUDE) -Iextension -shared \
		-o $@ $(SRCS)

install: kmemleak.so
	install -d $(DESTDIR)$(EXTDIR)
	install -m 0755 kmemleak.so $(DESTDIR)$(EXTDIR)/kmemleak.so

# ---- unit tests of the engine ----------------------------------------------
UNIT_SRCS := $(wildcard tests/unit/*.c)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	     -fno-omit-frame-pointer

$(BUILD)/unit: $(UNIT_SRCS) $(ENGINE_SRCS) $(HDRS) Makefile
	@mkdir -p $(BUILD)
	$(CC) -O2 -g $(WARN) -std=gnu11 -Iextension -o $@ $(UNIT_SRCS) $(ENGINE_SRCS)

$(BUILD)/unit-san: $(UNIT_SRCS) $(ENGINE_SRCS) $(HDRS) Makefile
	@mkdir -p $(BUILD)
	$(CC) -O1 -g $(WARN) -std=gnu11 $(SAN_FLAGS) -Iextension -o $@ \
		$(UNIT_SRCS) $(ENGINE_SRCS)

unit: $(BUILD)/unit $(BUILD)/unit-san
	$(BUILD)/unit
	$(BUILD)/unit-san

test: kmemleak.so
	tests/run-all.sh

clean:
	rm -rf $(BUILD) kmemleak.so

.PHONY: all install unit test clean

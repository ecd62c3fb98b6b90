# prolo — build, test and demo.
# Every .c under src/ except src/cli/main.c goes into build/libprolo.a; the
# binary and each tests/unit/LAYER/test_*.c (the tests mirror src/) link
# against it, so adding a module or
# a unit test needs no change here.

PKGS     := sqlite3 libmicrohttpd jansson libsodium gsl libcurl
TESTPKGS := cmocka

BUILD ?= build
ifeq ($(SAN),1)
BUILD := build-san
endif

CC      ?= cc
CSTD    := -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN    := -Wall -Wextra -Wshadow -Wpointer-arith -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wvla -Wno-unused-parameter -Wno-format-truncation
HARDEN  := -fstack-protector-strong -fPIE -D_FORTIFY_SOURCE=2
OPT     := -O2 -g
LDHARD  := -pie -Wl,-z,relro,-z,now
ifeq ($(SAN),1)
OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
HARDEN  := -fPIE
LDHARD  := -pie -fsanitize=address,undefined
endif
ifeq ($(CI),1)
WARN    += -Werror
endif

# Missing system packages are installed (or the command printed) first.
DEPS_OK := $(shell pkg-config --exists $(PKGS) $(TESTPKGS) 2>/dev/null && test -f /usr/include/csv.h && echo yes)
ifneq ($(DEPS_OK),yes)
$(info prolo: some build dependencies are missing; running scripts/install-deps.sh)
$(shell sh scripts/install-deps.sh >&2)
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm -lpthread
TEST_CFLAGS:= $(shell pkg-config --cflags $(TESTPKGS) 2>/dev/null)
TEST_LIBS  := $(shell pkg-config --libs $(TESTPKGS) 2>/dev/null)

CFLAGS_ALL := $(CSTD) $(WARN) $(HARDEN) $(OPT) -Isrc $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL:= $(LDHARD) $(LDFLAGS)

LIB_SRC  := $(filter-out src/cli/main.c,$(shell find src -name '*.c' | sort))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
# The common passwords refused at every password (src/security/pwlist.c),
# kept as text and built into the binary.
PWLIST_TXT := src/security/common-passwords.txt
LIB_OBJ  += $(BUILD)/gen/common_passwords.o
TEST_SRC := $(sort $(wildcard tests/unit/*/test_*.c))
TEST_BIN := $(addprefix $(BUILD)/tests/,$(basename $(notdir $(TEST_SRC))))
vpath test_%.c $(sort $(dir $(TEST_SRC)))
PROLO    := $(if $(filter 1,$(SAN)),$(BUILD)/prolo,prolo)

.PHONY: all test unit demo lint clean deps fuzz
all: $(PROLO)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/gen/common_passwords.c: $(PWLIST_TXT) scripts/common-passwords.sh
	@mkdir -p $(dir $@)
	sh scripts/common-passwords.sh $(PWLIST_TXT) $@

$(BUILD)/gen/common_passwords.o: $(BUILD)/gen/common_passwords.c
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/libprolo.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(PROLO): $(BUILD)/src/cli/main.o $(BUILD)/libprolo.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: %.c $(BUILD)/libprolo.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(TEST_CFLAGS) $(LDFLAGS_ALL) -o $@ $< $(BUILD)/libprolo.a $(PKG_LIBS) $(TEST_LIBS)

unit: $(TEST_BIN)

# The whole suite: unit tests, CLI cases, reference comparisons, API and
# browser tests. Ends with "N passed, N failed, N skipped".
test: $(PROLO) $(TEST_BIN)
	@sh scripts/install-deps.sh --test || echo "prolo: some test tools are missing; their tests will be skipped"
	@PROLO_BIN=$(abspath $(PROLO)) BUILD=$(BUILD) SAN=$(SAN) sh tests/run.sh

demo: $(PROLO)
	@sh scripts/install-deps.sh --demo || echo "prolo: python3-aiosmtpd is missing; the demo will queue its messages instead of sending them"
	./$(PROLO) demo

lint:
	@sh scripts/lint.sh

deps:
	sh scripts/install-deps.sh

clean:
	rm -rf build build-san prolo

-include $(LIB_OBJ:.o=.d) $(BUILD)/src/cli/main.d

fuzz:
	sh fuzz/run.sh

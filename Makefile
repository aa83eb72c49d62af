# bgcopy: one non-recursive Makefile for the engine, the tracepoint
# provider, the babeltrace2 plugin and the tests.
#
#   make              build everything into build/
#   make check        install missing packages, build, run every test
#   make check SANITIZE=1        the same under ASan and UBSan (build/asan/)
#   make check SANITIZE=thread   the notification, daemon and client-mode tests under TSan
#   make demo         a traced run against a local server, with timelines
#   make bench        benchmarks (ratios measured in one run)
#   make install      PREFIX=/usr/local DESTDIR= (make uninstall undoes it)
#   make lint         the layer order, file sizes and doc references
#   make soak SEEDS=N the randomized real-engine test over N seeds [PARALLEL=3 SEED_BASE=1]

PREFIX ?= /usr/local
DESTDIR ?=
MULTIARCH := $(shell gcc -print-multiarch 2>/dev/null)
PLUGINDIR ?= /usr/lib/$(MULTIARCH)/babeltrace2/plugins

CC ?= gcc
CFLAGS_COMMON = -std=gnu11 -Wall -Wextra -Werror -O2 -g -fPIC -I. -Itracer/include

ifeq ($(SANITIZE),1)
B := build/asan
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else ifeq ($(SANITIZE),thread)
B := build/tsan
SAN := -fsanitize=thread
else
B := build
SAN :=
endif

# Recursive on purpose: pkg-config must not run before `deps` installed it.
PC = $(shell pkg-config --cflags $(1)) 
PL = $(shell pkg-config --libs $(1))
CFLAGS = $(CFLAGS_COMMON) $(SAN)
LDFLAGS_ALL = $(SAN)

LIB_SRC := $(wildcard tracer/*.c tracer/client/*.c)
CLI_SRC := $(wildcard tracer/cli/*.c)
RECORD_SRC := $(wildcard tracer/record/*.c)
DAEMON_SRC := $(wildcard tracer/daemon/*.c)
TP_SRC := tp/probes.c
# analysis/ has rooms: the plugin's entry point (plugin.c) goes into the
# plugin alone, analysis/cli/ into bgcopy-analyze alone, every other file
# into both.
ANALYSIS_ALL := $(shell find analysis -name '*.c' | sort)
ANALYSIS_PLUGIN_SRC := $(filter %/plugin.c,$(ANALYSIS_ALL))
ANALYSIS_CLI_SRC := $(filter analysis/cli/%.c analysis/bgcopy-analyze.c,$(ANALYSIS_ALL))
ANALYSIS_LIB_SRC := $(filter-out $(ANALYSIS_PLUGIN_SRC) $(ANALYSIS_CLI_SRC),$(ANALYSIS_ALL))
# tests/unit mirrors the sources: tests of analysis/ (in tests/unit/analysis/)
# link the analysis objects and the scenario language (tests/scenario/);
# every other test drives libbgcopy through its public API and the harness.
UNIT_SRC := $(shell find tests/unit -name 'test_*.c' | sort)
ANALYSIS_TEST_SRC := $(filter tests/unit/analysis/% tests/unit/test_oracle.c,$(UNIT_SRC))
ENGINE_TEST_SRC := $(filter-out $(ANALYSIS_TEST_SRC),$(UNIT_SRC))
HARNESS_SRC := $(shell find tests/unit -name 'harness*.c' | sort)
SCENARIO_SRC := $(wildcard tests/scenario/*.c)
TESTD_SRC := $(wildcard tests/server/*.c)

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))

# The library is versioned by its soname; libbgcopy.so is the link-time name.
SONAME := libbgcopy.so.1
LIBBGCOPY := $(B)/lib/$(SONAME)
LIBBGCOPY_DEV := $(B)/lib/libbgcopy.so
LIBTP := $(B)/lib/libbgcopy-tp.so
BGCOPY := $(B)/bin/bgcopy
RECORD := $(B)/bin/bgcopy-record
DAEMON := $(B)/bin/bgcopyd
PLUGIN := $(B)/plugins/babeltrace-plugin-bgcopy.so
ANALYZE := $(B)/bin/bgcopy-analyze
TESTD := $(B)/tests/testd
unit_bin = $(B)/tests/$(basename $(notdir $(1)))
UNIT_BINS := $(foreach t,$(UNIT_SRC),$(call unit_bin,$(t)))

ALL_TARGETS := $(LIBBGCOPY) $(LIBBGCOPY_DEV) $(LIBTP) $(BGCOPY) $(RECORD)
ALL_TARGETS += $(PLUGIN) $(ANALYZE) $(if $(DAEMON_SRC),$(DAEMON))

.PHONY: all deps bench-deps check demo bench clean install uninstall lint soak
all: $(ALL_TARGETS)

DEPS_PACKAGES := liblttng-ust-dev lttng-tools liblttng-ctl-dev babeltrace2 \
	libbabeltrace2-dev libcurl4-openssl-dev libsqlite3-dev libjansson-dev \
	uuid-dev libcmocka-dev libmicrohttpd-dev libsystemd-dev pkg-config groff-base \
	libssl-dev strace \
	chromium python3-jsonschema nginx-light dbus systemd \
	tinyproxy-bin

# pkg-config module, command, or module of Debian's own python3 (the
# tests run /usr/bin/python3: a python3 of pyenv's on PATH, even with a
# jsonschema command, does not give it the module) : Debian package
DEPS_PROBES := pc:lttng-ust:liblttng-ust-dev pc:lttng-ctl:liblttng-ctl-dev \
	cmd:lttng-sessiond:lttng-tools cmd:babeltrace2:babeltrace2 \
	pc:babeltrace2:libbabeltrace2-dev pc:libcurl:libcurl4-openssl-dev \
	pc:sqlite3:libsqlite3-dev pc:jansson:libjansson-dev pc:uuid:uuid-dev \
	pc:cmocka:libcmocka-dev pc:libmicrohttpd:libmicrohttpd-dev \
	pc:libsystemd:libsystemd-dev cmd:groff:groff-base \
	pc:libcrypto:libssl-dev cmd:strace:strace \
	cmd:chromium:chromium py:jsonschema:python3-jsonschema \
	cmd:nginx:nginx-light cmd:dbus-daemon:dbus \
	cmd:busctl:systemd cmd:systemd-socket-activate:systemd \
	cmd:tinyproxy:tinyproxy-bin

# install_probes PROBES,STATUS: installs the packages of the probes that
# fail (as root), else names them and exits with STATUS.
define install_probes
	@missing=""; \
	command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"; \
	for p in $(1); do \
		kind=$${p%%:*}; rest=$${p#*:}; what=$${rest%%:*}; pkg=$${rest#*:}; \
		if [ $$kind = pc ]; then \
			command -v pkg-config >/dev/null 2>&1 && pkg-config --exists $$what && continue; \
		elif [ $$kind = py ]; then \
			/usr/bin/python3 -c "import $$what" >/dev/null 2>&1 && continue; \
		else \
			command -v $$what >/dev/null 2>&1 && continue; \
		fi; \
		missing="$$missing $$pkg"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "bgcopy: missing packages:$$missing; install them as root: apt-get install$$missing" >&2; \
		exit $(2); \
	fi; \
	echo "bgcopy: installing$$missing" >&2; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $$missing >/dev/null
endef

deps:
	$(call install_probes,$(DEPS_PROBES),1)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -MMD -MP -c $< -o $@

# Hidden by default: bgcopy.h marks the public API (BGCOPY_API).
$(call obj,$(LIB_SRC)): EXTRA_CFLAGS = -Itracer -fvisibility=hidden $(call PC,libcurl sqlite3 uuid libcrypto libsystemd)
# The version --version shows is the one pkg-config gives.
VERSION := $(shell sed -n 's/^Version: //p' tracer/bgcopy.pc.in)
$(call obj,$(CLI_SRC)): EXTRA_CFLAGS = -DBGCOPY_VERSION='"$(VERSION)"' $(call PC,jansson)
$(call obj,$(TP_SRC)): EXTRA_CFLAGS = $(call PC,lttng-ust)
$(call obj,$(RECORD_SRC)): EXTRA_CFLAGS = -DBGCOPY_VERSION='"$(VERSION)"' $(call PC,lttng-ctl)
$(call obj,$(DAEMON_SRC)): EXTRA_CFLAGS = -Itracer/daemon $(call PC,libsystemd)
$(call obj,$(ANALYSIS_ALL)): EXTRA_CFLAGS = -Ianalysis $(call PC,babeltrace2 jansson)
$(call obj,$(UNIT_SRC) $(HARNESS_SRC) $(SCENARIO_SRC)): EXTRA_CFLAGS = -Itests/unit -Ianalysis -Itracer \
	-DBGCOPY_SOURCE_DIR='"$(CURDIR)"' $(call PC,cmocka babeltrace2 jansson)
$(call obj,$(TESTD_SRC)): EXTRA_CFLAGS = $(call PC,libmicrohttpd)

$(LIBBGCOPY): $(call obj,$(LIB_SRC))
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,$(SONAME) $(LDFLAGS_ALL) -o $@ $^ \
		$(call PL,libcurl sqlite3 uuid libcrypto libsystemd) -lpthread -ldl

$(LIBBGCOPY_DEV): $(LIBBGCOPY)
	ln -sf $(SONAME) $@

# The provider is the only object that links LTTng.
$(LIBTP): $(call obj,$(TP_SRC))
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libbgcopy-tp.so $(LDFLAGS_ALL) -o $@ $^ $(call PL,lttng-ust)

$(BGCOPY): $(call obj,$(CLI_SRC)) $(LIBBGCOPY_DEV)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(call obj,$(CLI_SRC)) -L$(B)/lib -lbgcopy \
		-Wl,-rpath,'$$ORIGIN/../lib' $(call PL,jansson) -lpthread

# The service: the engine behind a D-Bus interface (sd-bus).  It runs a
# notify service's call as the job's owner with libbgcopy's own code for
# its command line (tracer/run_as.h).
DAEMON_SHARED_SRC := tracer/run_as.c tracer/clock.c
$(DAEMON): $(call obj,$(DAEMON_SRC) $(DAEMON_SHARED_SRC)) $(LIBBGCOPY_DEV)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) -L$(B)/lib -lbgcopy \
		-Wl,-rpath,'$$ORIGIN/../lib' $(call PL,libsystemd) -lpthread

# Its own program, so that bgcopy runs where LTTng is not installed.
$(RECORD): $(call obj,$(RECORD_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(call PL,lttng-ctl)

$(PLUGIN): $(call obj,$(ANALYSIS_PLUGIN_SRC) $(ANALYSIS_LIB_SRC))
	@mkdir -p $(dir $@)
	$(CC) -shared $(LDFLAGS_ALL) -o $@ $^ $(call PL,babeltrace2 jansson) -lm

$(ANALYZE): $(call obj,$(ANALYSIS_CLI_SRC) $(ANALYSIS_LIB_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(call PL,babeltrace2 jansson) -lm

$(TESTD): $(call obj,$(TESTD_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(call PL,libmicrohttpd) -lpthread

define analysis_test
$(call unit_bin,$(1)): $(call obj,$(1) $(SCENARIO_SRC) $(ANALYSIS_LIB_SRC))
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS_ALL) -o $$@ $$^ $$(call PL,cmocka babeltrace2 jansson) -lm
endef

# sqlite3 too: the store tests craft databases by hand.
define engine_test
$(call unit_bin,$(1)): $(call obj,$(1) $(HARNESS_SRC)) $(LIBBGCOPY_DEV)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS_ALL) -o $$@ $$(filter %.o,$$^) -L$(B)/lib -lbgcopy \
		-Wl,-rpath,'$$$$ORIGIN/../lib' $$(call PL,cmocka sqlite3) $$(TEST_LIBS) -lpthread
endef

$(foreach t,$(ANALYSIS_TEST_SRC),$(eval $(call analysis_test,$(t))))
$(foreach t,$(ENGINE_TEST_SRC),$(eval $(call engine_test,$(t))))
# test_fs_identity drives fs_identity.c itself: the library exports none of it.
$(call unit_bin,tests/unit/tracer/test_fs_identity.c): \
	$(call obj,tracer/fs_identity.c tracer/run_as.c tracer/clock.c tracer/error.c tracer/memory.c)
# test_lock_turns drives sync.c itself, which may wake a worker through libcurl.
$(call unit_bin,tests/unit/tracer/test_lock_turns.c): $(call obj,tracer/sync.c tracer/clock.c)
$(call unit_bin,tests/unit/tracer/test_lock_turns.c): TEST_LIBS = $(call PL,libcurl)

$(B)/bench/tp_bench: $(call obj,tests/bench/tp_bench.c)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(call PL,lttng-ust) -ldl

$(call obj,tests/bench/tp_bench.c): EXTRA_CFLAGS = $(call PC,lttng-ust)

# The peers benchmark's driver: the public API, as an application uses it.
$(B)/bench/bgcopy_drive: $(call obj,tests/bench/bgcopy_drive.c) $(LIBBGCOPY_DEV)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) -L$(B)/lib -lbgcopy \
		-Wl,-rpath,'$$ORIGIN/../lib' -lpthread

# The daemon benchmark's driver, and the arming clock it preloads into
# bgcopyd (tests/bench/daemon.sh).
$(B)/bench/daemon_drive: $(call obj,tests/bench/daemon_drive.c tests/bench/arming.c) $(LIBBGCOPY_DEV)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) -L$(B)/lib -lbgcopy \
		-Wl,-rpath,'$$ORIGIN/../lib' -lpthread
$(B)/bench/arming_preload.so: $(call obj,tests/bench/arming_preload.c tests/bench/arming.c)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -shared -o $@ $^ -ldl -lpthread

# Benchmark-only packages: the server and the peers bgcopy is measured
# against; `make bench` installs them (a peer left missing is skipped).
BENCH_PROBES := cmd:nginx:nginx-light cmd:curl:curl cmd:aria2c:aria2 \
	cmd:wget2:wget2 cmd:/usr/bin/time:time
bench-deps:
	$(call install_probes,$(BENCH_PROBES),0)

# Test tools: a fake engine that breaks the contract on purpose, a JSON
# validator, a modification storm through the real library.
TOOLS := $(B)/tools/fake_engine $(B)/tools/json_check $(B)/tools/storm

$(call obj,tests/tools/json_check.c): EXTRA_CFLAGS = $(call PC,jansson)

# Both drive the provider's hook table, as the engine does.
$(B)/tools/fake_engine: $(call obj,tests/tools/fake_engine.c $(SCENARIO_SRC))
$(B)/bench/gen_events: $(call obj,tests/bench/gen_events.c)
$(B)/tools/fake_engine $(B)/bench/gen_events:
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ -ldl

$(B)/tools/json_check: $(call obj,tests/tools/json_check.c)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(call PL,jansson)

$(B)/tools/storm: $(call obj,tests/tools/storm.c) $(LIBBGCOPY_DEV)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) -L$(B)/lib -lbgcopy \
		-Wl,-rpath,'$$ORIGIN/../lib'

# A seeded client that drives the real engine at random, and a trace
# mutator for the checker's fuzz test.
TOOLS += $(if $(wildcard tests/tools/random_client.c),$(B)/tools/random_client)
TOOLS += $(if $(wildcard tests/tools/trace_fuzz.c),$(B)/tools/trace_fuzz)

$(B)/tools/random_client: $(call obj,tests/tools/random_client.c) $(LIBBGCOPY_DEV)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) -L$(B)/lib -lbgcopy \
		-Wl,-rpath,'$$ORIGIN/../lib' -lpthread

$(B)/tools/trace_fuzz: $(call obj,tests/tools/trace_fuzz.c)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^

# A client whose notify interface acknowledges or hangs, for
# tests/e2e/bgcopyd_traced_callbacks.sh.
TOOLS += $(if $(DAEMON_SRC),$(B)/tools/callback_client)
$(B)/tools/callback_client: $(call obj,tests/tools/callback_client.c) $(LIBBGCOPY_DEV)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) -L$(B)/lib -lbgcopy \
		-Wl,-rpath,'$$ORIGIN/../lib'

# A D-Bus client that times bgcopyd's change signals.
TOOLS += $(if $(DAEMON_SRC),$(B)/tools/bgcopyd_watch)
$(call obj,tests/tools/bgcopyd_watch.c): EXTRA_CFLAGS = $(call PC,libsystemd)
$(B)/tools/bgcopyd_watch: $(call obj,tests/tools/bgcopyd_watch.c)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(call PL,libsystemd)

# An activatable receiver of a job's notify service that traces its
# receipts through libbgcopy (bgcopyd_notify_service.sh).
TOOLS += $(if $(DAEMON_SRC),$(B)/tools/notify_receiver)
$(call obj,tests/tools/notify_receiver.c): EXTRA_CFLAGS = $(call PC,libsystemd)
$(B)/tools/notify_receiver: $(call obj,tests/tools/notify_receiver.c) $(LIBBGCOPY_DEV)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) -L$(B)/lib -lbgcopy \
		-Wl,-rpath,'$$ORIGIN/../lib' $(call PL,libsystemd)

# An application of bgcopyd that reconnects when the daemon is killed
# (bgcopyd_kill.sh, bgcopyd_many_clients.sh).
TOOLS += $(if $(DAEMON_SRC),$(B)/tools/service_client)
$(B)/tools/service_client: $(call obj,tests/tools/service_client.c) $(LIBBGCOPY_DEV)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) -L$(B)/lib -lbgcopy \
		-Wl,-rpath,'$$ORIGIN/../lib' -lpthread

TEST_TARGETS := $(ALL_TARGETS) $(TESTD) $(UNIT_BINS) $(TOOLS)

# SANITIZE=thread runs the notification tests, and the daemon's and
# client mode's (tests/run.sh: a binary whose name contains a word, a
# script named by one): TSan cannot run most others under LTTng's or
# babeltrace2's uninstrumented libraries.
ifeq ($(SANITIZE),thread)
CHECK_FILTER := test_notify test_client test_callback_forward test_fs_identity test_lock_turns bgcopyd_bus bgcopyd_client bgcopyd_signals \
	bgcopyd_client_engine bgcopyd_system bgcopyd_system_files bgcopyd_units bgcopyd_kill bgcopyd_many_clients \
	bgcopyd_system_tls test_change_hook test_forget bgcopyd_forget test_parallel test_sync \
	bgcopyd_notify_service_owner bgcopyd_system_client test_store_owners bgcopyd_hung_verbs test_hostile test_add_files
endif

check: deps
	@$(MAKE) --no-print-directory $(TEST_TARGETS)
	@tests/run.sh $(B) $(CHECK_FILTER)

lint: all
	@tests/lint/all.sh $(B)

# make soak SEEDS=N: the randomized real-engine test over N seeds.
# PARALLEL seeds run at once (each client mostly waits); SEED_BASE is the first.
SEEDS ?= 100
PARALLEL ?= 3
SEED_BASE ?= 1
soak: deps
	@$(MAKE) --no-print-directory $(TEST_TARGETS)
	@BGCOPY_BUILD=$(abspath $(B)) BGCOPY_SEEDS=$(SEEDS) BGCOPY_SEED_BASE=$(SEED_BASE) \
		BGCOPY_PARALLEL=$(PARALLEL) bash tests/e2e/random_clients.sh

demo: deps
	@$(MAKE) --no-print-directory $(ALL_TARGETS) $(TESTD)
	@tests/demo.sh $(B)

bench: deps bench-deps
	@$(MAKE) --no-print-directory $(ALL_TARGETS) $(TESTD) $(B)/bench/tp_bench \
		$(B)/bench/gen_events $(B)/bench/bgcopy_drive \
		$(B)/bench/daemon_drive $(B)/bench/arming_preload.so
	@tests/bench/run.sh $(B)

# What install puts where; uninstall removes exactly these.
LIBDIR = $(PREFIX)/lib
INSTALLED = $(PREFIX)/bin/bgcopy $(PREFIX)/bin/bgcopy-record $(PREFIX)/bin/bgcopyd \
	$(PREFIX)/bin/bgcopy-analyze $(LIBDIR)/$(SONAME) $(LIBDIR)/libbgcopy.so \
	$(LIBDIR)/libbgcopy-tp.so $(PREFIX)/include/bgcopy.h \
	$(LIBDIR)/pkgconfig/bgcopy.pc $(PLUGINDIR)/babeltrace-plugin-bgcopy.so
# Manual pages: docs/man/NAME.SECTION into MANDIR/manSECTION.
MANDIR = $(PREFIX)/share/man
MAN_PAGES := $(wildcard docs/man/*.1 docs/man/*.3 docs/man/*.8)
man_dest = $(MANDIR)/man$(subst .,,$(suffix $(1)))/$(notdir $(1))
INSTALLED += $(foreach m,$(MAN_PAGES),$(call man_dest,$(m)))
# bgcopyd's systemd units: a user and a system unit, each socket-activated.
SYSTEMDDIR = $(PREFIX)/lib/systemd
UNITS := $(if $(DAEMON_SRC),$(foreach k,user system,$(foreach u,socket service,$(k)/bgcopyd.$(u))))
INSTALLED += $(addprefix $(SYSTEMDDIR)/,$(UNITS))
# bgcopyd's D-Bus policy for the system bus: root alone owns and calls org.bgcopy1.
DBUSPOLICYDIR = $(PREFIX)/share/dbus-1/system.d
DBUS_POLICY := $(if $(DAEMON_SRC),$(DBUSPOLICYDIR)/org.bgcopy1.conf)
INSTALLED += $(DBUS_POLICY)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PLUGINDIR)
	install -m 0755 $(LIBBGCOPY) $(LIBTP) $(DESTDIR)$(LIBDIR)/
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libbgcopy.so
	install -m 0755 $(BGCOPY) $(RECORD) $(ANALYZE) $(if $(DAEMON_SRC),$(DAEMON)) \
		$(DESTDIR)$(PREFIX)/bin/
	install -m 0644 tracer/include/bgcopy.h $(DESTDIR)$(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' tracer/bgcopy.pc.in \
		> $(DESTDIR)$(LIBDIR)/pkgconfig/bgcopy.pc
	install -m 0644 $(PLUGIN) $(DESTDIR)$(PLUGINDIR)/
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man8
	$(foreach m,$(MAN_PAGES),install -m 0644 $(m) $(DESTDIR)$(call man_dest,$(m)) &&) true
	$(foreach u,$(UNITS),install -d $(DESTDIR)$(SYSTEMDDIR)/$(dir $(u)) && \
		sed 's|@PREFIX@|$(PREFIX)|' tracer/daemon/systemd/$(u) > $(DESTDIR)$(SYSTEMDDIR)/$(u) &&) true
	$(if $(DBUS_POLICY),install -D -m 0644 tracer/daemon/dbus/org.bgcopy1.conf \
		$(DESTDIR)$(DBUS_POLICY))
	$(if $(DESTDIR),,ldconfig)

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir --ignore-fail-on-non-empty $(DESTDIR)$(SYSTEMDDIR)/user $(DESTDIR)$(SYSTEMDDIR)/system \
		$(DESTDIR)$(SYSTEMDDIR)
	-rmdir --ignore-fail-on-non-empty $(DESTDIR)$(DBUSPOLICYDIR) \
		$(DESTDIR)$(PREFIX)/share/dbus-1
	-rmdir --ignore-fail-on-non-empty $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man8
	$(if $(DESTDIR),,ldconfig)

clean:
	rm -rf build

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

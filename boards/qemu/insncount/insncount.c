/*
 * insncount: a QEMU TCG plugin that counts executed guest instructions, in total and in
 * regions delimited by two marker functions (bench_start / bench_stop, addresses passed as
 * start=0x... stop=0x...). Debian's QEMU supports plugins but ships neither plugins nor the
 * header, so the few API functions used are declared here (plugin API version 1, QEMU 7.2).
 *
 * Build: gcc -shared -fPIC -O2 -Wall -o libinsncount.so insncount.c
 * Output (to the -D log file): "insncount: total N" and "insncount: region I N" per region.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
typedef struct qemu_info_t qemu_info_t;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS = 0 };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 = 0 };

#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))
QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;

extern void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
        void (*cb)(qemu_plugin_id_t, struct qemu_plugin_tb *));
extern size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
extern struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
extern uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
extern void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
        void (*cb)(unsigned int vcpu_index, void *userdata),
        enum qemu_plugin_cb_flags flags, void *userdata);
extern void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn,
        enum qemu_plugin_op op, void *ptr, uint64_t imm);
extern void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
        void (*cb)(qemu_plugin_id_t id, void *userdata), void *userdata);
extern void qemu_plugin_outs(const char *string);

static uint64_t insn_count; /* single vCPU */
static uint64_t start_addr = ~0ULL, stop_addr = ~0ULL, start_snapshot;
#define MAX_REGIONS 256
static uint64_t regions[MAX_REGIONS];
static unsigned n_regions;

static void on_start(unsigned int v, void *u) { (void)v; (void)u; start_snapshot = insn_count; }
static void on_stop(unsigned int v, void *u)
{
    (void)v; (void)u;
    if (n_regions < MAX_REGIONS) regions[n_regions++] = insn_count - start_snapshot;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t va = qemu_plugin_insn_vaddr(insn);
        if (va == (start_addr & ~1ULL)) /* Thumb symbols have bit 0 set */
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_start, QEMU_PLUGIN_CB_NO_REGS, NULL);
        if (va == (stop_addr & ~1ULL))
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_stop, QEMU_PLUGIN_CB_NO_REGS, NULL);
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &insn_count, 1);
    }
}

static void at_exit(qemu_plugin_id_t id, void *u)
{
    (void)id; (void)u;
    char buf[128];
    snprintf(buf, sizeof buf, "insncount: total %" PRIu64 "\n", insn_count);
    qemu_plugin_outs(buf);
    for (unsigned i = 0; i < n_regions; i++) {
        snprintf(buf, sizeof buf, "insncount: region %u %" PRIu64 "\n", i, regions[i]);
        qemu_plugin_outs(buf);
    }
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    (void)info;
    for (int i = 0; i < argc; i++) {
        if (!strncmp(argv[i], "start=", 6)) start_addr = strtoull(argv[i] + 6, NULL, 0);
        else if (!strncmp(argv[i], "stop=", 5)) stop_addr = strtoull(argv[i] + 5, NULL, 0);
        else { fprintf(stderr, "insncount: unknown arg %s\n", argv[i]); return -1; }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}

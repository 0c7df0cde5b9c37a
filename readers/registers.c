/*
 * registers.c - the CPU registers saved in the dump as a root.
 *
 * kdump (and QEMU's dump-guest-memory) write one NT_PRSTATUS note per CPU
 * with the registers at the time of the crash. A pointer held only in a
 * register - a block just allocated, not yet stored - is not a leak; the
 * in-kernel kmemleak cannot see these, a dump can. The whole note
 * descriptor (struct elf_prstatus) is scanned: besides pr_reg it holds only
 * pids, signal numbers and times.
 */
#include "readers.h"
#include <elf.h>

#define MAX_NOTE_DESC 16384

/* The NT_PRSTATUS note crash found for this CPU, or NULL. */
static void *prstatus_note(int cpu)
{
	if (NETDUMP_DUMPFILE() || KDUMP_DUMPFILE())
		return netdump_get_prstatus_percpu(cpu);
	if (DISKDUMP_DUMPFILE())
		return diskdump_get_prstatus_percpu(cpu);
	return NULL;
}

/*
 * The notes, looked up once, while the debuginfo tables are answered:
 * netdump_get_prstatus_percpu() asks gdb (the size of cpumask_t, for
 * get_cpus_online()) on every call, and a gdb request during the scan
 * would swallow a Ctrl-C (see debuginfo.c).
 */
static void **notes;
static int nnotes = -1;

static int find_notes(int missing)
{
	int cpu, ncpus = mlk_possible_cpus();

	(void)missing;
	if (nnotes >= 0 || !DUMPFILE())
		return 0;
	notes = calloc((size_t)ncpus, sizeof(*notes));
	if (!notes) {
		nnotes = 0;
		return -1;
	}
	for (cpu = 0; cpu < ncpus; cpu++)
		notes[cpu] = prstatus_note(cpu);
	nnotes = ncpus;
	return 0;
}

/* No debuginfo question: only the notes, found at the same time. */
const struct mlk_needs mlk_registers_needs = {
	"saved registers", NULL, 0, find_notes, 0,
};

/* An ELF note: header, name padded to 4 bytes, then the descriptor. */
static int note_desc(const void *note, const unsigned char **desc,
		     size_t *len)
{
	const Elf64_Nhdr *hdr = note;
	size_t name_len = (hdr->n_namesz + 3) & ~3u;

	if (hdr->n_type != NT_PRSTATUS || hdr->n_descsz == 0 ||
	    hdr->n_descsz > MAX_NOTE_DESC || hdr->n_namesz > 64)
		return -1;
	*desc = (const unsigned char *)(hdr + 1) + name_len;
	*len = hdr->n_descsz;
	return 0;
}

int mlk_registers_scan(struct mlk_scan *sc, uint64_t *cpus_scanned)
{
	int cpu;

	*cpus_scanned = 0;
	if (!DUMPFILE())
		return 0; /* a live system saved no registers */
	for (cpu = 0; cpu < nnotes; cpu++) {
		const unsigned char *desc;
		void *note = notes[cpu];
		size_t len;

		if (!note || note_desc(note, &desc, &len) < 0)
			continue;
		if (mlk_scan_root_buf(sc, desc, len) < 0)
			return -1;
		(*cpus_scanned)++;
	}
	return 0;
}

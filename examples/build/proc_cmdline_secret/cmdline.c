// SPDX-License-Identifier: GPL-2.0
/*
 * The live patch for fix.patch: cmdline_proc_show() (fs/proc/cmdline.c) as the fix leaves it, under another name.
 * saved_command_line is not exported to modules; patchvisor build sees that and has the livepatch core resolve it
 * from the kernel's symbol table when the patch loads (a klp relocation), as kpatch-build does, so the body stays
 * the fix's own.
 */
#include <linux/init.h>
#include <linux/seq_file.h>
#include <linux/string.h>

static int secret_cmdline_proc_show(struct seq_file *m, void *v)
{
	static const char key[] = "pv.secret=";
	const char *p = saved_command_line;
	const char *hit;

	while ((hit = strstr(p, key)) != NULL) {
		hit += sizeof(key) - 1;
		seq_write(m, p, hit - p);
		seq_puts(m, "***");
		p = hit + strcspn(hit, " ");
	}
	seq_puts(m, p);
	seq_putc(m, '\n');
	return 0;
}

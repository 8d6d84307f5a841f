// SPDX-License-Identifier: GPL-2.0
/*
 * The live patch for fix.patch: version_proc_show() (fs/proc/version.c) as the fix leaves it, under another
 * name. It prints the same fields in the same format as the fixed kernel, so a patched kernel and one rebuilt
 * with the fix read the same. `patchvisor build --check-fix fix.patch` proves this replaces everything the fix
 * changed.
 */
#include <linux/seq_file.h>
#include <linux/utsname.h>

static int banner_version_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s version %s %s\n",
		utsname()->sysname,
		utsname()->release,
		utsname()->version);
	return 0;
}

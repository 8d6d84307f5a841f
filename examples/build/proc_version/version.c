// SPDX-License-Identifier: GPL-2.0
/*
 * Replacement for version_proc_show() (fs/proc/version.c). The original prints linux_proc_banner, which modules
 * cannot reach, so this prints the same uname fields and a marker line. patchvisor build includes this file in
 * the generated module source, so the function may stay static.
 */
#include <linux/seq_file.h>
#include <linux/utsname.h>

static int fixed_version_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s version %s %s\n", utsname()->sysname, utsname()->release, utsname()->version);
	seq_puts(m, "patchvisor: built live patch pv_build_version active\n");
	return 0;
}

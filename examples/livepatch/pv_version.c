// SPDX-License-Identifier: GPL-2.0
/*
 * pv_version - a second, independent live patch that stacks on top of pv_cmdline.
 *
 * Replaces version_proc_show() (fs/proc/version.c, static). The original prints linux_proc_banner, which is
 * not exported to modules, so this one prints the same uname fields followed by a marker line.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/utsname.h>

static int livepatch_version_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s version %s %s\n", utsname()->sysname, utsname()->release, utsname()->version);
	seq_puts(m, "patchvisor: live patch pv_version active\n");
	return 0;
}

static struct klp_func funcs[] = {
	{
		.old_name = "version_proc_show",
		.new_func = livepatch_version_proc_show,
	},
	{}
};

static struct klp_object objs[] = {
	{
		.funcs = funcs,
	},
	{}
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int pv_version_init(void)
{
	return klp_enable_patch(&patch);
}

static void pv_version_exit(void)
{
}

module_init(pv_version_init);
module_exit(pv_version_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("patchvisor sample: /proc/version gets a marker line");
MODULE_INFO(livepatch, "Y");

// SPDX-License-Identifier: GPL-2.0
/*
 * pv_cmdline_v2 - the cumulative successor of pv_cmdline.
 *
 * Same function, different text, and .replace = true: loading it atomically replaces every live patch
 * loaded before it (pv_cmdline and pv_version alike), which is how a cumulative patch stream upgrades a
 * kernel without ever leaving it unpatched in between.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>

static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "patchvisor: live patch pv_cmdline_v2 active (cumulative)\n");
	return 0;
}

static struct klp_func funcs[] = {
	{
		.old_name = "cmdline_proc_show",
		.new_func = livepatch_cmdline_proc_show,
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
	.replace = true,
};

static int pv_cmdline_v2_init(void)
{
	return klp_enable_patch(&patch);
}

static void pv_cmdline_v2_exit(void)
{
}

module_init(pv_cmdline_v2_init);
module_exit(pv_cmdline_v2_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("patchvisor sample: cumulative replacement of pv_cmdline");
MODULE_INFO(livepatch, "Y");

// SPDX-License-Identifier: GPL-2.0
/*
 * pv_execdomains - a third independent live patch, for measuring a host with several patches recorded.
 *
 * Replaces execdomains_proc_show() (kernel/exec_domain.c, static, reached through /proc/execdomains, which
 * nothing on a host depends on): the same line as the original, followed by a marker line.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>

static int livepatch_execdomains_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "0-0\tLinux           \t[kernel]\n");
	seq_puts(m, "patchvisor: live patch pv_execdomains active\n");
	return 0;
}

static struct klp_func funcs[] = {
	{
		.old_name = "execdomains_proc_show",
		.new_func = livepatch_execdomains_proc_show,
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

static int pv_execdomains_init(void)
{
	return klp_enable_patch(&patch);
}

static void pv_execdomains_exit(void)
{
}

module_init(pv_execdomains_init);
module_exit(pv_execdomains_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("patchvisor sample: /proc/execdomains gets a marker line");
MODULE_INFO(livepatch, "Y");

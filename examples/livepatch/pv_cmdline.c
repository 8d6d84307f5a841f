// SPDX-License-Identifier: GPL-2.0
/*
 * pv_cmdline - a minimal live patch for patchvisor's tests and demo.
 *
 * Replaces cmdline_proc_show() (fs/proc/cmdline.c, static) so that reading /proc/cmdline shows a fixed
 * marker instead of the boot command line. Built the way the kernel's samples/livepatch/livepatch-sample.c
 * is: the livepatch core resolves the static function by name in vmlinux and redirects it through ftrace.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>

static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "patchvisor: live patch pv_cmdline active\n");
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
		/* name NULL: the function lives in vmlinux */
		.funcs = funcs,
	},
	{}
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int pv_cmdline_init(void)
{
	return klp_enable_patch(&patch);
}

static void pv_cmdline_exit(void)
{
}

module_init(pv_cmdline_init);
module_exit(pv_cmdline_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("patchvisor sample: /proc/cmdline shows a marker");
MODULE_INFO(livepatch, "Y");

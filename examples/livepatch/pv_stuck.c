// SPDX-License-Identifier: GPL-2.0
/*
 * pv_stuck - a live patch whose transition never completes, for testing stuck-transition handling.
 *
 * It replaces smpboot_thread_fn() (kernel/smpboot.c, static) with an unchanged copy of the 6.1 function.
 * The per-CPU kthreads (ksoftirqd/N, migration/N, cpuhp/N) spend their whole life sleeping inside that
 * function, so the consistency model can never prove them safe to switch: `transition` stays 1 and they
 * show patch_state 0 until the patch is disabled again (echo 0 > enabled), after which it unloads cleanly.
 * Behaviour is identical either way, which is what makes it safe to load.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smpboot.h>

/* Private to kernel/smpboot.c in 6.1; the layout must match it exactly. */
struct smpboot_thread_data {
	unsigned int			cpu;
	unsigned int			status;
	struct smp_hotplug_thread	*ht;
};

enum {
	HP_THREAD_NONE = 0,
	HP_THREAD_ACTIVE,
	HP_THREAD_PARKED,
};

static int livepatch_smpboot_thread_fn(void *data)
{
	struct smpboot_thread_data *td = data;
	struct smp_hotplug_thread *ht = td->ht;

	while (1) {
		set_current_state(TASK_INTERRUPTIBLE);
		preempt_disable();
		if (kthread_should_stop()) {
			__set_current_state(TASK_RUNNING);
			preempt_enable();
			/* cleanup must mirror setup */
			if (ht->cleanup && td->status != HP_THREAD_NONE)
				ht->cleanup(td->cpu, cpu_online(td->cpu));
			kfree(td);
			return 0;
		}

		if (kthread_should_park()) {
			__set_current_state(TASK_RUNNING);
			if (ht->park && td->status == HP_THREAD_ACTIVE) {
				BUG_ON(td->cpu != smp_processor_id());
				ht->park(td->cpu);
				td->status = HP_THREAD_PARKED;
			}
			preempt_enable();
			kthread_parkme();
			/* We might have been woken for stop */
			continue;
		}

		BUG_ON(td->cpu != smp_processor_id());

		/* Check for state change setup */
		switch (td->status) {
		case HP_THREAD_NONE:
			__set_current_state(TASK_RUNNING);
			preempt_enable();
			if (ht->setup)
				ht->setup(td->cpu);
			td->status = HP_THREAD_ACTIVE;
			continue;

		case HP_THREAD_PARKED:
			__set_current_state(TASK_RUNNING);
			preempt_enable();
			if (ht->unpark)
				ht->unpark(td->cpu);
			td->status = HP_THREAD_ACTIVE;
			continue;
		}

		if (!ht->thread_should_run(td->cpu)) {
			/* preempt_enable_no_resched() is hidden from modules; this is its expansion. */
			barrier();
			preempt_count_dec();
			schedule();
		} else {
			__set_current_state(TASK_RUNNING);
			preempt_enable();
			ht->thread_fn(td->cpu);
		}
	}
}

static struct klp_func funcs[] = {
	{
		.old_name = "smpboot_thread_fn",
		.new_func = livepatch_smpboot_thread_fn,
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

static int pv_stuck_init(void)
{
	return klp_enable_patch(&patch);
}

static void pv_stuck_exit(void)
{
}

module_init(pv_stuck_init);
module_exit(pv_stuck_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("patchvisor sample: a live patch whose transition never finishes");
MODULE_INFO(livepatch, "Y");

/**
 * The guest fleet: the adapters' guests of one run, what each carries, {@code upgrade --guests} through the
 * rollout engine, and the worker that drains the spool the libvirt hook fills. Above the guest, rollout, hooks and
 * spi packages, below the CLI; output reaches the CLI only as returned values and listener calls.
 */
package org.patchvisor.fleet;

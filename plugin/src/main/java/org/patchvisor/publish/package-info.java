/**
 * The publisher's side: comparing two builds of kernel code, checking an upstream fix against Debian's kernel source,
 * building a live-patch module (from replacement functions or through kpatch-build/klp-build), and keeping the signed
 * repository hosts read ({@code repo init/add/sign/mirror/serve}). Nothing here touches a running kernel.
 */
package org.patchvisor.publish;

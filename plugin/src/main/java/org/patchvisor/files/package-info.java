/** Small file-system rules the whole tool shares: which files may be read, and how much of them. */
package org.patchvisor.files;

/** Time as the tool sees it: the injected {@link org.patchvisor.time.Ticker}, so every wait can be driven by tests. */
package org.patchvisor.time;

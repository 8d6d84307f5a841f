package org.patchvisor.adapter.libvirt;

import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.jna.Libvirt.VirErrorCallback;

/** Opens a libvirt connection: the seam between the adapter and libvirt's client library. */
@FunctionalInterface
public interface LibvirtConnector {

    Connect open(String uri) throws LibvirtException;

    /** A read-write connection (agent commands need one), with libvirt's own stderr error printing silenced. */
    static LibvirtConnector readWrite() {
        return uri -> {
            QuietErrors.install();
            return new Connect(uri, false);
        };
    }

    /**
     * libvirt prints every error to stderr unless an error function is set; patchvisor reports errors itself, in
     * one line. The callback is held in a static field: JNA callbacks must stay reachable.
     */
    final class QuietErrors {
        private static final VirErrorCallback IGNORE = (userData, error) -> { };
        private static boolean installed;

        private QuietErrors() {
        }

        static synchronized void install() throws LibvirtException {
            if (!installed) {
                Connect.setErrorCallback(IGNORE);
                installed = true;
            }
        }
    }
}

package org.patchvisor.detect;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;

/** Fixture roots under src/test/resources/detect and detectors over them with an injected CPUID. */
public final class Fixtures {

    private Fixtures() {
    }

    public static Path root(String name) {
        URL url = Fixtures.class.getResource("/detect/" + name);
        if (url == null) {
            throw new IllegalArgumentException("no fixture " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Detection detect(String name, Cpuid cpuid) throws java.io.IOException {
        HostFiles files = new HostFiles(root(name));
        return new Detector(Detector.standardChain(cpuid), files).detect();
    }

    /** CPUID as a guest under the hypervisor with this signature sees it. */
    public static Cpuid guestCpuid(String signature) {
        return new FakeCpuid(new CpuidRegisters(0x306e4, 0, 0x80000000, 0), CpuidRegisters.ofVendor(signature));
    }

    /** CPUID of real hardware: hypervisor bit clear. */
    public static Cpuid hardwareCpuid() {
        return new FakeCpuid(new CpuidRegisters(0x50654, 0, 0x7ffefbff, 0), new CpuidRegisters(0, 0, 0, 0));
    }

    /** A CPUID that answers leaf 1 and leaf 0x40000000 from given registers. */
    record FakeCpuid(CpuidRegisters features, CpuidRegisters hypervisor) implements Cpuid {
        @Override
        public String source() {
            return "/dev/cpu/0/cpuid";
        }

        @Override
        public java.util.Optional<String> unavailableReason() {
            return java.util.Optional.empty();
        }

        @Override
        public CpuidRegisters leaf(long leaf) {
            if (leaf == FEATURES_LEAF) {
                return features;
            }
            if (leaf == HYPERVISOR_LEAF) {
                return hypervisor;
            }
            throw new IllegalArgumentException("unexpected leaf " + leaf);
        }
    }

    static List<String> roleNames(Detection detection) {
        return detection.roles().stream().map(Role::displayName).toList();
    }
}

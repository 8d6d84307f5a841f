package org.patchvisor.cve;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cyclonedx.Version;
import org.cyclonedx.exception.GeneratorException;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.Property;
import org.cyclonedx.model.vulnerability.Vulnerability;

/**
 * A CycloneDX VEX document (CycloneDX 1.6, built with the standard's own Java library) for what the live patches in
 * force fix: one vulnerability statement per CVE and kernel, state {@code resolved}, response {@code update}, that
 * affects the running kernel. A kernel is a component of type operating-system identified the way scanners know it:
 * the Debian kernel image package as a package URL ({@code pkg:deb/debian/linux-image-RELEASE@VERSION?arch=amd64},
 * the version read from the kernel's own {@code uname -v}), with the host or guest name, the build-id and the effective
 * version as properties; each live patch module is a component inside it, named with its bundle. A scanner that reads
 * VEX then reports these CVEs as fixed on that machine although the kernel package is unchanged. Every reference in
 * the document is made from the target's stable id (the host's name, a guest's adapter and id), so two guests of
 * one name never share one.
 *
 * <p>Only kernels asked now count (a guest not reachable now is left out: a live patch does not survive a reboot, so
 * what it carried when last seen is no statement about it now). The document is deterministic for the same state:
 * sorted, its timestamp the latest time a patch in it was applied, its serial number a name-based UUID of its
 * content.
 */
public final class VexDocument {
    private static final Pattern DEBIAN_VERSION = Pattern.compile("Debian (\\S+)");
    private static final String NVD = "https://nvd.nist.gov/vuln/detail/";

    private VexDocument() {
    }

    /** The document as CycloneDX JSON. */
    public static String json(List<CveTarget> targets, String generator) {
        Bom bom = new Bom();
        List<CveTarget> known = targets.stream().filter(CveTarget::known)
                .sorted(Comparator.comparing(CveTarget::target)).toList();
        List<Vulnerability> statements = new ArrayList<>();
        Instant latest = null;
        for (CveTarget target : known) {
            Component kernel = kernel(target);
            for (CveTarget.PatchInForce patch : target.patches()) {
                kernel.addComponent(livePatch(target, patch));
                if (patch.since() != null && (latest == null || patch.since().isAfter(latest))) {
                    latest = patch.since();
                }
            }
            bom.addComponent(kernel);
            statements.addAll(statements(target, kernel.getBomRef()));
        }
        statements.sort(Comparator.comparing(Vulnerability::getId).thenComparing(Vulnerability::getBomRef));
        bom.setVulnerabilities(statements);
        Metadata metadata = new Metadata();
        // The library stamps a document without a time with the current one; a document with no statement is
        // dated at the epoch instead, so it too is the same for the same state.
        metadata.setTimestamp(Date.from(latest != null ? latest : Instant.EPOCH));
        metadata.setProperties(List.of(new Property("patchvisor:generator", generator)));
        bom.setMetadata(metadata);
        bom.setVersion(1);
        String unsigned = generate(bom);
        bom.setSerialNumber("urn:uuid:" + UUID.nameUUIDFromBytes(unsigned.getBytes(StandardCharsets.UTF_8)));
        return generate(bom);
    }

    private static String generate(Bom bom) {
        try {
            return BomGeneratorFactory.createJson(Version.VERSION_16, bom).toJsonString(true);
        } catch (GeneratorException e) {
            throw new IllegalStateException("the VEX document could not be written: " + e.getMessage(), e);
        }
    }

    private static Component kernel(CveTarget target) {
        Component kernel = new Component();
        kernel.setType(Component.Type.OPERATING_SYSTEM);
        kernel.setBomRef("kernel:" + target.id() + ":" + (target.buildId().isEmpty() ? target.kernel()
                : target.buildId()));
        kernel.setName("linux-image-" + target.kernel());
        // Without the package version a purl would claim every version of the package: then there is none.
        Optional<String> version = debianVersion(target.kernelVersion());
        version.ifPresent(kernel::setVersion);
        version.flatMap(v -> purl(target.kernel(), v, target.machine())).ifPresent(kernel::setPurl);
        List<Property> properties = new ArrayList<>();
        properties.add(new Property("patchvisor:target", target.guest() ? "guest" : "host"));
        properties.add(new Property("patchvisor:name", target.guest() ? target.target() : target.id()));
        if (target.guest()) {
            properties.add(new Property("patchvisor:guest-id", target.id()));
        }
        properties.add(new Property("patchvisor:kernel-release", target.kernel()));
        if (!target.buildId().isEmpty()) {
            properties.add(new Property("patchvisor:build-id", target.buildId()));
        }
        properties.add(new Property("patchvisor:effective-version", target.effectiveVersion()));
        kernel.setProperties(properties);
        return kernel;
    }

    private static Component livePatch(CveTarget target, CveTarget.PatchInForce patch) {
        Component module = new Component();
        module.setType(Component.Type.DEVICE_DRIVER);
        module.setBomRef("livepatch:" + target.id() + ":" + patch.patch());
        module.setName(patch.patch());
        if (!patch.bundle().isEmpty()) {
            module.setVersion(patch.bundle());
        }
        module.setDescription("live patch module in force in " + target.target() + "'s kernel"
                + (patch.cumulativeLevel() > 0 ? ", cumulative level " + patch.cumulativeLevel() : ""));
        return module;
    }

    /** One statement per CVE a patch in force fixes on this kernel: resolved by that patch (the first, by name). */
    private static List<Vulnerability> statements(CveTarget target, String kernelRef) {
        TreeMap<String, CveTarget.PatchInForce> fixedBy = new TreeMap<>();
        target.patches().stream().filter(p -> !p.revoked()).sorted(Comparator.comparing(CveTarget.PatchInForce::patch))
                .forEach(p -> p.cves().forEach(cve -> fixedBy.putIfAbsent(cve, p)));
        List<Vulnerability> statements = new ArrayList<>();
        fixedBy.forEach((cve, patch) -> {
            Vulnerability vulnerability = new Vulnerability();
            vulnerability.setBomRef("vex:" + cve + ":" + target.id());
            vulnerability.setId(cve);
            Vulnerability.Source source = new Vulnerability.Source();
            source.setName("NVD");
            source.setUrl(NVD + cve);
            vulnerability.setSource(source);
            Vulnerability.Analysis analysis = new Vulnerability.Analysis();
            analysis.setState(Vulnerability.Analysis.State.RESOLVED);
            analysis.setResponses(List.of(Vulnerability.Analysis.Response.UPDATE));
            analysis.setDetail("fixed in the running kernel by live patch " + patch.patch()
                    + (patch.bundle().isEmpty() ? "" : " (bundle " + patch.bundle() + ")")
                    + ", kernel package unchanged");
            if (patch.since() != null) {
                analysis.setFirstIssued(Date.from(patch.since()));
                analysis.setLastUpdated(Date.from(patch.since()));
            }
            vulnerability.setAnalysis(analysis);
            Vulnerability.Affect affect = new Vulnerability.Affect();
            affect.setRef(kernelRef);
            vulnerability.setAffects(List.of(affect));
            statements.add(vulnerability);
        });
        return statements;
    }

    /** The Debian package version {@code uname -v} names ({@code #1 SMP ... Debian 6.1.192-3 (2026-11-26)}). */
    static Optional<String> debianVersion(String unameVersion) {
        Matcher m = DEBIAN_VERSION.matcher(Objects.requireNonNullElse(unameVersion, ""));
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static Optional<String> purl(String release, String version, String machine) {
        try {
            TreeMap<String, String> qualifiers = new TreeMap<>();
            debianArch(machine).ifPresent(arch -> qualifiers.put("arch", arch));
            return Optional.of(new PackageURL("deb", "debian", "linux-image-" + release, version, qualifiers, null)
                    .canonicalize());
        } catch (MalformedPackageURLException e) {
            return Optional.empty();
        }
    }

    /** Debian's name for the architecture {@code uname -m} names. */
    private static Optional<String> debianArch(String machine) {
        return switch (machine) {
            case "x86_64" -> Optional.of("amd64");
            case "aarch64" -> Optional.of("arm64");
            case "i686", "i586", "i386" -> Optional.of("i386");
            case "ppc64le" -> Optional.of("ppc64el");
            case "s390x", "riscv64" -> Optional.of(machine);
            default -> Optional.empty();
        };
    }
}

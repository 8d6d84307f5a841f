package org.patchvisor.feed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.model.KernelId;
import org.patchvisor.rollout.FeedBundles;

/** The signed feed as a rollout's bundle source and fetcher, over a real signed directory repository. */
class FeedBundlesTest {
    @TempDir
    Path tmp;

    @Test
    void choosesTheNewestCumulativeBundleAndFetchesItVerifiedForItsKernelOnly() throws Exception {
        FeedFixture fixture = new FeedFixture(tmp);
        fixture.add("pv_fix1", 1, FeedFixture.BUILD_ID);
        BundleEntry newest = fixture.add("pv_fix2", 2, FeedFixture.BUILD_ID);
        fixture.sign();
        FeedBundles bundles = new FeedBundles(fixture.feed(fixture.repo.toString(), Map.of(), FeedFixture.fastLimits()));
        KernelId other = new KernelId("6.1.0-99-cloud-amd64", "#1", "x86_64", Optional.of("ab".repeat(20)));

        assertEquals(Optional.of(newest.id()), bundles.bundleFor(FeedFixture.KERNEL).map(BundleEntry::id));
        assertEquals(Optional.empty(), bundles.bundleFor(other));
        Path module = bundles.fetch(newest, FeedFixture.KERNEL);
        assertArrayEquals(Files.readAllBytes(tmp.resolve("pv_fix2.ko")), Files.readAllBytes(module));
        WrongKernelException wrong = assertThrows(WrongKernelException.class, () -> bundles.fetch(newest, other));
        assertTrue(wrong.getMessage().contains("not this kernel 6.1.0-99-cloud-amd64"), wrong.getMessage());
    }
}

/**
 * The signed update feed: which live patches exist for which kernel, fetched and verified by hosts.
 *
 * <h2>Repository layout (plain static files)</h2>
 * <pre>
 * index.json            signed payload (canonical JSON: sorted keys, no whitespace, UTF-8)
 * index.json.sig        {"signatures":[{"keyid":"&lt;16 hex&gt;","sig":"&lt;base64 Ed25519&gt;"}, ...]}
 * blobs/sha256/&lt;hex&gt;    module files, content-addressed
 * bundles/&lt;id&gt;.json     publisher's working manifests (not read by hosts)
 * revoked/&lt;id&gt;.json     publisher's revocations (not read by hosts; the index carries them)
 * feed-id, keys.json    publisher's feed id and, after a rotation, its key set (not read by hosts)
 * </pre>
 *
 * <h2>Index format 2</h2>
 * {@code index.json} is
 * <pre>
 * {"bundles":[...],"created":"...Z","expires":"...Z","feed":"&lt;id&gt;","format":2,"keys":[...],
 *  "retiredKeys":[...],"revoked":[...],"serial":N}
 * </pre>
 * <ul>
 *   <li>{@code feed}: the feed's stable id, chosen at {@code repo init} and kept by {@code repo mirror} (which copies
 *   the signed bytes): every mirror of a feed serves the same id. Hosts keep the last accepted serial and expiry
 *   per feed id, so no mirror can serve an older index than another one did; a repository that starts serving
 *   another feed id is refused ({@link org.patchvisor.feed.FeedIdChangedException}).</li>
 *   <li>{@code bundles} ({@link org.patchvisor.feed.BundleEntry}): each lists its target kernels by build-id and
 *   release, and {@code channels}: since when it is in each channel it was published or promoted to. A host follows
 *   one channel ({@code channel =}, default {@code stable}), may wait {@code delay =} after that time, and may be
 *   pinned to a cumulative level ({@code max-level =}); the time comes from the signed index, never from a server's
 *   clock ({@link org.patchvisor.feed.FeedPolicy}). A host matches a kernel by build-id when both sides know it,
 *   else by release.</li>
 *   <li>{@code revoked} ({@link org.patchvisor.feed.Revocation}): withdrawn bundles (id, module, SHA-256 of the
 *   module file, reason, time), no longer in {@code bundles}. A host that runs one removes it at its next
 *   {@code upgrade} ({@link org.patchvisor.feed.RevokedPatches}); every host remembers each revocation it saw, so a
 *   revoked bundle is never applied again, from any mirror, feed or cache.</li>
 *   <li>{@code keys} ({@link org.patchvisor.feed.AnnouncedKey}) and {@code retiredKeys}: after a rotation, the
 *   feed's current signing keys and the retired ones.</li>
 * </ul>
 *
 * <h2>Signing and key rotation</h2>
 * Ed25519 (JDK). Each signature covers the exact bytes of {@code index.json}; a host verifies the bytes it fetched
 * before parsing them, so no re-serialization can differ. A key id is the first 16 hex digits of the SHA-256 of the
 * X.509 public key encoding. One valid signature by a trusted key is enough. The keys a host trusts are its
 * configured {@code trusted-key} values and the keys it learned, less every key retired. An index may announce a
 * key the host does not trust yet only when that key signed it too ({@code repo rotate-key} signs with the old and
 * the new key): the host then learns it. A retired key is never trusted again: an index signed only by it is refused
 * ({@link org.patchvisor.feed.RetiredKeyException}), as is one signed only by a key never announced
 * ({@link org.patchvisor.feed.UnknownKeyException}). The signature file is written first and the index last.
 *
 * <h2>Host-side checks, in order (each failure its own {@link org.patchvisor.feed.FeedException})</h2>
 * Trusted key ({@link org.patchvisor.feed.UnknownKeyException}, {@link org.patchvisor.feed.RetiredKeyException}),
 * signature ({@link org.patchvisor.feed.BadSignatureException}), well-formed content
 * ({@link org.patchvisor.feed.MalformedIndexException}), not expired
 * ({@link org.patchvisor.feed.ExpiredIndexException}), the same feed as this repository served before
 * ({@link org.patchvisor.feed.FeedIdChangedException}), a serial not older than the last one accepted from this
 * feed by any of its mirrors ({@link org.patchvisor.feed.RollbackException}), announced keys signed by themselves;
 * then, per bundle: not revoked ({@link org.patchvisor.feed.RevokedBundleException}), for this kernel
 * ({@link org.patchvisor.feed.WrongKernelException}), blob size and SHA-256
 * ({@link org.patchvisor.feed.BlobMismatchException}). What a host learned (serials, keys, revocations) is kept in
 * {@code <state-dir>/feed/state.json} ({@link org.patchvisor.feed.FeedState}), written only after every check
 * passed. Downloads are capped by the announced size and a hard cap
 * ({@link org.patchvisor.feed.DownloadTooLargeException}) and by a connect timeout and one {@code fetch-timeout} for
 * everything a run fetches ({@link org.patchvisor.feed.FetchBudget},
 * {@link org.patchvisor.feed.DownloadTimeoutException}). Verified blobs are cached under
 * {@code <state-dir>/cache/sha256/}.
 *
 * <h2>Mirrors</h2>
 * Several {@code repository =} lines are mirrors of one feed, tried in order: the first whose index passes every
 * check is the one index of the run, and all its bundles come from it (never mixed with another mirror's). A mirror
 * that cannot be reached or fails a check is named in a warning and the next one is tried; the run fails only when
 * none verifies, with the most serious reason.
 *
 * <h2>Older formats and older hosts</h2>
 * This patchvisor still reads format 1 (written by publishers before feed ids existed): such an index names no feed,
 * so its repository stands for the feed (the id {@code repo-<hash of the URL>}, where serials were kept before), and
 * its bundles are all in the {@code stable} channel since the index was created; it carries no revocations or keys.
 * The serials an earlier host kept per repository ({@code <state-dir>/feed/last-serial/}) still count as floors. A
 * host older than format 2 refuses a format-2 index as malformed ("index format 2 is not supported (expected 1)",
 * {@code check} 3, {@code upgrade} 14) and keeps its patches: upgrade the hosts before the publisher signs format 2.
 */
package org.patchvisor.feed;

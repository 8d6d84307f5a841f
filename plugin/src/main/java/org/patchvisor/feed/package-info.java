/**
 * The signed update feed: which live patches exist for which kernel, fetched and verified by hosts.
 *
 * <h2>Repository layout (plain static files)</h2>
 * <pre>
 * index.json            signed payload (canonical JSON: sorted keys, no whitespace, UTF-8)
 * index.json.sig        {"signatures":[{"keyid":"&lt;16 hex&gt;","sig":"&lt;base64 Ed25519&gt;"}]}
 * blobs/sha256/&lt;hex&gt;    module files, content-addressed
 * bundles/&lt;id&gt;.json     publisher's working manifests (not read by hosts)
 * </pre>
 * {@code index.json} is {@code {"bundles":[...],"created":"...Z","expires":"...Z","format":1,"serial":N}}; each
 * bundle ({@link org.patchvisor.feed.BundleEntry}) lists its target kernels by build-id and release. A host matches
 * by build-id when both sides know it, else by release (the fallback for hosts that cannot read their build-id).
 *
 * <h2>Signing</h2>
 * Ed25519 (JDK). The signature covers the exact bytes of {@code index.json}; a host verifies the bytes it fetched
 * before parsing them, so no re-serialization can differ. A key id is the first 16 hex digits of the SHA-256 of
 * the X.509 public key encoding. One valid signature by a pinned {@code trusted-key} is enough; more keys allow
 * rotation. The signature is a separate file, so a publisher writes it first and the index last.
 *
 * <h2>Host-side checks, in order (each failure its own {@link org.patchvisor.feed.FeedException})</h2>
 * Pinned key ({@link org.patchvisor.feed.UnknownKeyException}), signature
 * ({@link org.patchvisor.feed.BadSignatureException}), well-formed content
 * ({@link org.patchvisor.feed.MalformedIndexException}), not expired
 * ({@link org.patchvisor.feed.ExpiredIndexException}), serial not older than the last one accepted from this
 * repository ({@link org.patchvisor.feed.RollbackException}, kept in {@code <state-dir>/feed/last-serial/<id>}
 * and written only after all checks passed), bundle for this kernel
 * ({@link org.patchvisor.feed.WrongKernelException}), blob size and SHA-256
 * ({@link org.patchvisor.feed.BlobMismatchException}); downloads are capped by the announced size and a hard cap
 * ({@link org.patchvisor.feed.DownloadTooLargeException}) and by a connect timeout and one {@code fetch-timeout}
 * for everything a run fetches ({@link org.patchvisor.feed.FetchBudget},
 * {@link org.patchvisor.feed.DownloadTimeoutException}). Verified blobs are cached under
 * {@code <state-dir>/cache/sha256/}.
 */
package org.patchvisor.feed;

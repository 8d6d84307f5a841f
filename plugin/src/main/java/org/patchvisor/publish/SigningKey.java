package org.patchvisor.publish;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import org.patchvisor.io.AtomicFiles;
import org.patchvisor.feed.Ed25519Keys;

/**
 * A publisher's signing key on disk. The key file holds the PKCS#8 private key and, beside it, the X.509 public
 * key (JDK 17 cannot derive one from the other); {@code KEYFILE.pub} holds the public key alone to hand out.
 */
public record SigningKey(PrivateKey privateKey, PublicKey publicKey) {

    public String keyId() {
        return Ed25519Keys.keyId(publicKey);
    }

    public static SigningKey generate() {
        KeyPair pair = Ed25519Keys.generate();
        return new SigningKey(pair.getPrivate(), pair.getPublic());
    }

    public static Path publicFile(Path keyFile) {
        return keyFile.resolveSibling(keyFile.getFileName() + ".pub");
    }

    /** Writes the key file (owner-only where the filesystem allows) and its {@code .pub}; refuses to overwrite. */
    public void write(Path keyFile) throws IOException {
        if (Files.exists(keyFile)) {
            throw new PublishException(keyFile + " already exists; refusing to overwrite a signing key");
        }
        String both = Ed25519Keys.pem(privateKey) + Ed25519Keys.pem(publicKey);
        AtomicFiles.write(keyFile, both.getBytes(StandardCharsets.US_ASCII));
        try {
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // non-POSIX filesystem: nothing finer to set
        }
        AtomicFiles.write(publicFile(keyFile), Ed25519Keys.pem(publicKey).getBytes(StandardCharsets.US_ASCII));
    }

    public static SigningKey read(Path keyFile) throws IOException {
        if (!Files.isRegularFile(keyFile)) {
            throw new PublishException("signing key " + keyFile + " does not exist");
        }
        String text = Files.readString(keyFile, StandardCharsets.US_ASCII);
        try {
            PrivateKey privateKey = Ed25519Keys.privateKey(text);
            String publicText = text.contains("BEGIN PUBLIC KEY") ? text
                    : Files.readString(publicFile(keyFile), StandardCharsets.US_ASCII);
            SigningKey key = new SigningKey(privateKey, Ed25519Keys.publicKey(publicText));
            byte[] probe = keyFile.toString().getBytes(StandardCharsets.UTF_8);
            if (!Ed25519Keys.verify(key.publicKey, probe, Ed25519Keys.sign(privateKey, probe))) {
                throw new PublishException(keyFile + ": the private and public key in it do not belong together");
            }
            return key;
        } catch (IllegalArgumentException e) {
            throw new PublishException(keyFile + ": " + e.getMessage(), e);
        }
    }
}

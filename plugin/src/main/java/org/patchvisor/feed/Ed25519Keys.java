package org.patchvisor.feed;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.patchvisor.io.Sha256;

/**
 * Ed25519 keys as the feed uses them, all through the JDK: private keys PKCS#8, public keys X.509
 * (SubjectPublicKeyInfo), either PEM or bare base64. A key id is the hex SHA-256 of the X.509 encoding,
 * cut to 16 digits, so a signature file can name its key without carrying it.
 */
public final class Ed25519Keys {
    private static final String ALGORITHM = "Ed25519";

    private Ed25519Keys() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        }
    }

    public static String keyId(PublicKey key) {
        return Sha256.of(key.getEncoded()).substring(0, 16);
    }

    public static String base64(PublicKey key) {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    public static String pem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    public static String pem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    /** Reads a public key from PEM or bare base64 of its X.509 encoding. */
    public static PublicKey publicKey(String text) {
        byte[] der = der(text, "PUBLIC KEY", "public key");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // The JDK's own text here is "InvalidKeyException: IOException: null", which tells nobody anything.
            throw new IllegalArgumentException("valid base64 but not an Ed25519 public key (" + der.length
                    + " bytes; expected the 44-byte X.509 encoding 'patchvisor repo keygen' prints)", e);
        }
    }

    /** Reads a private key from PEM or bare base64 of its PKCS#8 encoding. */
    public static PrivateKey privateKey(String text) {
        byte[] der = der(text, "PRIVATE KEY", "private key");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("valid base64 but not an Ed25519 private key (PKCS#8)", e);
        }
    }

    /**
     * The DER inside the PEM block of this type, or the whole text as base64 when it has no PEM armour.
     * A key file may hold several blocks (the signing key file keeps its public key beside the private one).
     */
    private static byte[] der(String text, String type, String what) {
        StringBuilder body = new StringBuilder();
        boolean armoured = text.contains("-----BEGIN ");
        boolean inside = !armoured;
        for (String line : text.split("\\R")) {
            if (line.startsWith("-----BEGIN ")) {
                inside = line.equals("-----BEGIN " + type + "-----");
            } else if (line.startsWith("-----END ")) {
                inside = false;
            } else if (inside) {
                body.append(line.strip());
            }
        }
        if (body.length() == 0) {
            throw new IllegalArgumentException("not an Ed25519 " + what + ": empty");
        }
        try {
            return Base64.getDecoder().decode(body.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an Ed25519 " + what + ": not base64 (" + e.getMessage() + ")", e);
        }
    }

    public static byte[] sign(PrivateKey key, byte[] data) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(key);
            signature.update(data);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed: " + e.getMessage(), e);
        }
    }

    public static boolean verify(PublicKey key, byte[] data, byte[] sig) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initVerify(key);
            signature.update(data);
            return signature.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}

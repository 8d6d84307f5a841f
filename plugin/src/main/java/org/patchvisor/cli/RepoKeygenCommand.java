package org.patchvisor.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.patchvisor.feed.Ed25519Keys;
import org.patchvisor.publish.SigningKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code patchvisor repo keygen --out KEYFILE}: a new Ed25519 signing key. Prints the public key in the form a
 * host's {@code trusted-key =} line takes, and its key id.
 */
@Command(name = "keygen", mixinStandardHelpOptions = true, description = "Generate an Ed25519 feed signing key.")
public final class RepoKeygenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "KEYFILE",
            description = "Private key file to create (PEM); the public key goes to KEYFILE.pub.")
    Path out;

    @Override
    public Integer call() {
        try {
            SigningKey key = SigningKey.generate();
            key.write(out);
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.println("private key: " + out);
            stdout.println("public key:  " + SigningKey.publicFile(out));
            stdout.println("key id:      " + key.keyId());
            stdout.println("trusted-key = " + Ed25519Keys.base64(key.publicKey()));
            return ExitCodes.OK;
        } catch (IOException e) {
            spec.commandLine().getErr().println("patchvisor repo keygen: " + e.getMessage());
            return ExitCodes.ERROR;
        }
    }
}

package org.patchvisor.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.patchvisor.publish.StaticFileServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code patchvisor repo serve DIR --port N}: serves the repository's static files until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Serve a repository over HTTP (static files).")
public final class RepoServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR")
    Path dir;

    @Option(names = "--port", required = true, paramLabel = "N")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--access-log", description = "Print one line per request (METHOD PATH STATUS BYTES) on stdout: "
            + "BYTES of the body got out, then 'cut off (of LENGTH)' when not all of it did.")
    boolean accessLog;

    @Override
    public Integer call() throws InterruptedException {
        StaticFileServer server;
        try {
            PrintWriter out = spec.commandLine().getOut();
            server = StaticFileServer.start(dir, new InetSocketAddress(bind, port), line -> {
                if (accessLog) {
                    synchronized (out) {
                        out.println(line);
                        out.flush();
                    }
                }
            });
        } catch (IOException e) {
            spec.commandLine().getErr().println("patchvisor repo serve: cannot serve " + dir + " on " + bind + ":" + port
                    + ": " + e.getMessage());
            return ExitCodes.ERROR;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        spec.commandLine().getOut().println("serving " + dir + " at " + server.uri());
        spec.commandLine().getOut().flush();
        stopped.await();
        return ExitCodes.OK;
    }
}

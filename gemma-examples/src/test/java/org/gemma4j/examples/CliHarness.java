package org.gemma4j.examples;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the {@code gemma} CLI in-process with a given stdin, capturing stdout and stderr. */
final class CliHarness {
    private CliHarness() {}

    /** Returns {exit code, stdout, stderr}. */
    static String[] run(String stdin, String... args) {
        InputStream oldIn = System.in;
        PrintStream oldOut = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            int code = GemmaCli.run(args, new PrintStream(err, true, StandardCharsets.UTF_8));
            return new String[] {String.valueOf(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setIn(oldIn);
            System.setOut(oldOut);
        }
    }
}

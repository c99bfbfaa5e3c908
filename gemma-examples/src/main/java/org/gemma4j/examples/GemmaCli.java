package org.gemma4j.examples;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code gemma} command-line tool: dispatches {@code gemma <command> [options]} to one command class each. */
public final class GemmaCli {
    /** One sub-command of the CLI. */
    interface Command {
        String summary();

        int run(String[] args) throws Exception;
    }

    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("demo", new DemoCommand());
        COMMANDS.put("run", new RunCommand());
        COMMANDS.put("chat", new ChatCommand());
        COMMANDS.put("logits", new LogitsCommand());
        COMMANDS.put("synth", new SynthCommand());
        COMMANDS.put("bench", new BenchCommand());
        COMMANDS.put("tokenize", new TokenizeCommand());
        COMMANDS.put("render", new RenderCommand());
        COMMANDS.put("parse", new ParseCommand());
        COMMANDS.put("tools-demo", new ToolsDemoCommand());
    }

    private GemmaCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.err));
    }

    static int run(String[] args, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            usage(args.length == 0 ? err : System.out);
            return args.length == 0 ? 2 : 0;
        }
        Command command = COMMANDS.get(args[0]);
        if (command == null) {
            err.println("gemma: unknown command '" + args[0] + "'");
            usage(err);
            return 2;
        }
        try {
            return command.run(Arrays.copyOfRange(args, 1, args.length));
        } catch (CliException e) {
            err.println("gemma " + args[0] + ": " + e.getMessage());
            return 2;
        } catch (java.io.IOException | IllegalArgumentException | IllegalStateException e) {
            // Bad files and bad input carry messages that name the problem; no stack trace needed.
            err.println("gemma " + args[0] + ": " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("gemma " + args[0] + ": " + e);
            return 1;
        }
    }

    private static void usage(PrintStream out) {
        out.println("usage: gemma <command> [options]");
        out.println();
        out.println("commands:");
        COMMANDS.forEach((name, c) -> out.printf("  %-10s %s%n", name, c.summary()));
        out.println("  help       this text");
    }

    /** A usage error: printed without a stack trace, exit code 2. */
    static final class CliException extends Exception {
        private static final long serialVersionUID = 1L;

        CliException(String message) {
            super(message);
        }
    }
}

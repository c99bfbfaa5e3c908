package org.gemma4j.examples;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses {@code --name value} options, {@code --flag} switches and positional arguments, rejecting anything
 * the command did not declare.
 */
final class CliArgs {
    private final Map<String, String> options = new HashMap<>();
    private final List<String> positional = new ArrayList<>();

    private CliArgs() {}

    /**
     * @param valued options that take a value ({@code --model FILE} or {@code --model=FILE})
     * @param flags switches without a value
     */
    static CliArgs parse(String[] args, Set<String> valued, Set<String> flags) throws GemmaCli.CliException {
        CliArgs a = new CliArgs();
        for (int i = 0; i < args.length; i++) {
            String s = args[i];
            if (s.startsWith("--") && s.length() > 2) {
                String name = s.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (flags.contains(name) && value == null) {
                    a.options.put(name, "true");
                } else if (valued.contains(name)) {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new GemmaCli.CliException("option --" + name + " needs a value");
                        }
                        value = args[++i];
                    }
                    a.options.put(name, value);
                } else {
                    throw new GemmaCli.CliException("unknown option --" + name);
                }
            } else {
                a.positional.add(s);
            }
        }
        return a;
    }

    String get(String name) {
        return options.get(name);
    }

    String require(String name) throws GemmaCli.CliException {
        String v = options.get(name);
        if (v == null) {
            throw new GemmaCli.CliException("missing option --" + name);
        }
        return v;
    }

    boolean flag(String name) {
        return options.containsKey(name);
    }

    int intOption(String name, int def) throws GemmaCli.CliException {
        String v = options.get(name);
        if (v == null) {
            return def;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new GemmaCli.CliException("option --" + name + " needs an integer, got '" + v + "'");
        }
    }

    List<String> positional() {
        return positional;
    }
}

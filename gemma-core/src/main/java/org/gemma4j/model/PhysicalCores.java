package org.gemma4j.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The number of physical cores, for the default thread count: decode is bound by memory and the worker pool spins
 * between loops, so a second hardware thread on a core adds contention, not speed. Read from Linux sysfs (distinct
 * {@code core_cpus_list} sets, one per core); elsewhere unknown.
 */
final class PhysicalCores {
    private static final Pattern CPU_DIR = Pattern.compile("cpu[0-9]+");

    private PhysicalCores() {}

    /** Physical cores of this machine, or -1 if they cannot be read. */
    static int count() {
        return count(Path.of("/sys/devices/system/cpu"));
    }

    /** Distinct sibling sets under {@code cpuRoot} ({@code cpuN/topology/core_cpus_list}, or the older {@code thread_siblings_list}). */
    static int count(Path cpuRoot) {
        if (!Files.isDirectory(cpuRoot)) {
            return -1;
        }
        Set<String> cores = new HashSet<>();
        try (Stream<Path> cpus = Files.list(cpuRoot)) {
            for (Path cpu : (Iterable<Path>) cpus::iterator) {
                if (!CPU_DIR.matcher(cpu.getFileName().toString()).matches()) {
                    continue;
                }
                Path list = cpu.resolve("topology/core_cpus_list");
                if (!Files.exists(list)) {
                    list = cpu.resolve("topology/thread_siblings_list");
                }
                if (Files.exists(list)) { // offline CPUs have no topology
                    cores.add(Files.readString(list).strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return cores.isEmpty() ? -1 : cores.size();
    }
}

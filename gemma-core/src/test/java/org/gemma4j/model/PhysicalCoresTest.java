package org.gemma4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PhysicalCoresTest {
    @TempDir
    Path root;

    private void cpu(int n, String file, String siblings) throws IOException {
        Path topology = root.resolve("cpu" + n).resolve("topology");
        Files.createDirectories(topology);
        Files.writeString(topology.resolve(file), siblings + "\n");
    }

    @Test
    void hyperThreadSiblingsCountAsOneCore() throws IOException {
        cpu(0, "core_cpus_list", "0,4");
        cpu(4, "core_cpus_list", "0,4");
        cpu(1, "core_cpus_list", "1,5");
        cpu(5, "core_cpus_list", "1,5");
        cpu(2, "core_cpus_list", "2");
        Files.createDirectories(root.resolve("cpu3")); // offline: no topology
        Files.createDirectories(root.resolve("cpufreq"));
        assertEquals(3, PhysicalCores.count(root));
    }

    @Test
    void olderKernelsNameTheFileThreadSiblingsList() throws IOException {
        cpu(0, "thread_siblings_list", "0-1");
        cpu(1, "thread_siblings_list", "0-1");
        assertEquals(1, PhysicalCores.count(root));
    }

    @Test
    void unknownWithoutSysfs() {
        assertEquals(-1, PhysicalCores.count(root.resolve("missing")));
        assertEquals(-1, PhysicalCores.count(root));
    }

    @Test
    void defaultParallelismIsAtLeastOneAndAtMostTheAvailableProcessors() {
        int p = WorkerPool.defaultParallelism();
        assertTrue(p >= 1 && p <= Runtime.getRuntime().availableProcessors(), "parallelism " + p);
    }
}

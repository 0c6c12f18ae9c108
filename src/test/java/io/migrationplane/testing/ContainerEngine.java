package io.migrationplane.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The container engine of this machine, driven through its command line: podman (preferred: it needs
 * no daemon) or docker, whichever can actually run here ({@code podman info} / {@code docker info}
 * answers). Podman's options default to what works on the CI machines (no daemon, no overlay, no
 * cgroup-managed runtime of its own) and can be changed by environment variables:
 * <ul>
 * <li>{@code MIGRATION_IT_ENGINE}: {@code podman} or {@code docker} to use that one only;</li>
 * <li>{@code MIGRATION_IT_PODMAN_ARGS}: global options, default {@code --storage-driver=vfs};</li>
 * <li>{@code MIGRATION_IT_PODMAN_BUILD_ARGS}: default {@code --isolation=chroot};</li>
 * <li>{@code MIGRATION_IT_PODMAN_RUN_ARGS}: default
 * {@code --runtime=runc --ulimit nofile=20000:20000 --ulimit nproc=4096:4096}.</li>
 * </ul>
 */
public final class ContainerEngine {

    /** What a command printed (stdout and stderr together) and how it ended. */
    public record Result(List<String> command, int exit, String output) {
        public boolean ok() {
            return exit == 0;
        }

        public Result orFail(String what) {
            if (exit != 0) {
                throw new IllegalStateException(what + " failed (exit " + exit + "): " + String.join(" ", command)
                        + "\n" + tail(output, 4000));
            }
            return this;
        }
    }

    public final String name;
    public final boolean podman;
    private final List<String> global;
    private final List<String> buildArgs;
    private final List<String> runArgs;

    private ContainerEngine(String name, List<String> global, List<String> buildArgs, List<String> runArgs) {
        this.name = name;
        this.podman = name.equals("podman");
        this.global = global;
        this.buildArgs = buildArgs;
        this.runArgs = runArgs;
    }

    /**
     * The engine that can run containers here, or why none can (for the test to skip with that message).
     */
    public static Optional<ContainerEngine> detect(StringBuilder whyNot) {
        String only = System.getenv("MIGRATION_IT_ENGINE");
        List<ContainerEngine> candidates = new ArrayList<>();
        if (only == null || only.equals("podman")) {
            candidates.add(new ContainerEngine("podman", env("MIGRATION_IT_PODMAN_ARGS", "--storage-driver=vfs"),
                    env("MIGRATION_IT_PODMAN_BUILD_ARGS", "--isolation=chroot"),
                    env("MIGRATION_IT_PODMAN_RUN_ARGS", "--runtime=runc --ulimit nofile=20000:20000 --ulimit nproc=4096:4096")));
        }
        if (only == null || only.equals("docker")) {
            candidates.add(new ContainerEngine("docker", List.of(), List.of(), List.of()));
        }
        for (ContainerEngine engine : candidates) {
            if (!onPath(engine.name)) {
                whyNot.append(engine.name).append(" is not on the PATH; ");
                continue;
            }
            Result info = engine.run(Duration.ofSeconds(60), "info");
            if (info.ok()) {
                return Optional.of(engine);
            }
            whyNot.append("`").append(engine.name).append(" info` failed (exit ").append(info.exit).append("): ")
                    .append(tail(info.output, 300).strip().replaceAll("\\s+", " ")).append("; ");
        }
        return Optional.empty();
    }

    /** This engine's command line for these arguments, e.g. {@code podman --storage-driver=vfs build}. */
    public List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(name);
        cmd.addAll(global);
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    /** The engine name with its global options, as one shell word list (for scripts that take $ENGINE). */
    public String shellPrefix() {
        return String.join(" ", command());
    }

    public Result run(Duration atMost, String... args) {
        return exec(command(args), atMost);
    }

    public Result run(Duration atMost, List<String> args) {
        return exec(command(args.toArray(String[]::new)), atMost);
    }

    public boolean imageExists(String image) {
        return run(Duration.ofSeconds(30), "image", "inspect", image).ok();
    }

    /** Options {@code build} needs on this machine (podman: chroot isolation, one layer). */
    public List<String> buildOptions() {
        List<String> options = new ArrayList<>(buildArgs);
        if (podman) {
            // One layer instead of one per instruction: with the vfs driver every layer is a full copy of
            // the file system (3.5 min instead of 30 s here).
            options.add("--layers=false");
        }
        return options;
    }

    /** Options {@code run} needs on this machine (podman: the runtime and the limits it can set). */
    public List<String> runOptions() {
        return runArgs;
    }

    /** Runs a command with a bound on its duration; its output goes through a file (no pipe to fill). */
    public static Result exec(List<String> command, Duration atMost) {
        return exec(command, atMost, null);
    }

    public static Result exec(List<String> command, Duration atMost, java.util.Map<String, String> env) {
        Path out = null;
        try {
            out = Files.createTempFile("engine", ".out");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            if (env != null) {
                pb.environment().putAll(env);
            }
            Process p = pb.start();
            if (!p.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                return new Result(command, -1, "timed out after " + atMost + "\n" + Files.readString(out, StandardCharsets.UTF_8));
            }
            return new Result(command, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(command, -2, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(command, -3, e.toString());
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temporary file
                }
            }
        }
    }

    public static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    static String tail(String s, int max) {
        return s.length() <= max ? s : "…" + s.substring(s.length() - max);
    }

    private static List<String> env(String name, String dflt) {
        String v = System.getenv(name);
        String value = v == null ? dflt : v;
        return value.isBlank() ? List.of() : List.of(value.trim().split("\\s+"));
    }
}

package dev.metaplastic.data;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.hash.Hashing;
import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Real Fashion-MNIST without a root step: Debian's package {@value #DEBIAN_PACKAGE}, downloaded by
 * {@code apt-get download} as the current user, unpacked with {@code dpkg-deb -x} into a per-user
 * cache, and checked against the SHA-256 sums of its four files recorded in {@link #SHA256}.
 *
 * <p>The cache directory is {@code $METAPLASTIC_CACHE/fashion-mnist} if that variable is set,
 * otherwise {@code $XDG_CACHE_HOME/metaplastic/fashion-mnist}, otherwise {@code
 * ~/.cache/metaplastic/fashion-mnist}. A complete cache is reused: {@link #fetch()} then only
 * checks the sums. Files are unpacked in a private folder beside the cache and moved into place
 * only once all four are checked, so an interrupted fetch leaves no half-filled cache.
 */
public final class FashionMnistCache {
  /** The Debian (and Ubuntu) package that holds Fashion-MNIST. */
  public static final String DEBIAN_PACKAGE = "dataset-fashion-mnist";

  /** Approximate download size of the package, for messages. */
  public static final String DOWNLOAD_SIZE = "31 MB";

  /**
   * SHA-256 of each file, as in {@code dataset-fashion-mnist} 0.0~git20200523.55506a9-1 (the
   * Fashion-MNIST release of 2020-05-23).
   */
  static final Map<String, String> SHA256 =
      Map.of(
          "train-images-idx3-ubyte.gz",
          "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
          "train-labels-idx1-ubyte.gz",
          "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
          "t10k-images-idx3-ubyte.gz",
          "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
          "t10k-labels-idx1-ubyte.gz",
          "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05");

  /** Where the package puts the files, relative to the root it is unpacked into. */
  private static final Path PACKAGE_FOLDER = Path.of("usr", "share", "datasets", "fashion-mnist");

  private final Path directory;

  /**
   * A cache in the given directory.
   *
   * @param directory where the four files are kept; created by {@link #fetch()}
   */
  public FashionMnistCache(Path directory) {
    this.directory = checkNotNull(directory, "directory").toAbsolutePath().normalize();
  }

  /** The cache of the current user: see the class description for where it is. */
  public static FashionMnistCache ofUser() {
    String own = System.getenv("METAPLASTIC_CACHE");
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base =
        own != null && !own.isEmpty()
            ? Path.of(own)
            : xdg != null && !xdg.isEmpty()
                ? Path.of(xdg, "metaplastic")
                : Path.of(System.getProperty("user.home"), ".cache", "metaplastic");
    return new FashionMnistCache(base.resolve("fashion-mnist"));
  }

  /** The directory that holds (or will hold) the four files. */
  public Path directory() {
    return directory;
  }

  /**
   * Tells whether the cache holds all four files with the recorded sums.
   *
   * @return whether {@link FashionMnist#load} can read the cache as it is
   */
  public boolean isComplete() {
    return problem(directory).isEmpty();
  }

  /**
   * Fills the cache unless it is complete: downloads the Debian package with {@code apt-get
   * download} (no root needed), unpacks it with {@code dpkg-deb -x}, checks every file's SHA-256
   * and moves the files into place.
   *
   * @return the cache directory, holding the four checked files
   * @throws DataException if {@code apt-get} or {@code dpkg-deb} is missing or fails, or a file
   *     differs from the recorded sum; the message says which
   */
  public Path fetch() {
    if (isComplete()) {
      return directory;
    }
    for (String tool : List.of("apt-get", "dpkg-deb")) {
      if (!onPath(tool)) {
        throw new DataException(
            "cannot fetch Fashion-MNIST: "
                + tool
                + " is not on the PATH (the Debian package "
                + DEBIAN_PACKAGE
                + " needs Debian or Ubuntu)");
      }
    }
    try {
      Files.createDirectories(directory.getParent());
      Path work = Files.createTempDirectory(directory.getParent(), ".fetch-fashion-mnist-");
      try {
        run(work, "apt-get", "download", "-q", DEBIAN_PACKAGE);
        Path deb = packageFile(work);
        Path root = work.resolve("root");
        run(work, "dpkg-deb", "-x", deb.toString(), root.toString());
        Path unpacked = root.resolve(PACKAGE_FOLDER);
        Optional<String> wrong = problem(unpacked);
        if (wrong.isPresent()) {
          throw new DataException(
              "the downloaded package "
                  + deb.getFileName()
                  + " is not as recorded: "
                  + wrong.get());
        }
        Path staged = work.resolve("fashion-mnist");
        Files.createDirectories(staged);
        for (String name : SHA256.keySet()) {
          Files.move(unpacked.resolve(name), staged.resolve(name));
        }
        if (Files.exists(directory)) {
          MoreFiles.deleteRecursively(directory, RecursiveDeleteOption.ALLOW_INSECURE);
        }
        Files.move(staged, directory, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        MoreFiles.deleteRecursively(work, RecursiveDeleteOption.ALLOW_INSECURE);
      }
    } catch (IOException e) {
      throw new DataException(
          "cannot fetch Fashion-MNIST into " + directory + ": " + e.getMessage(), e);
    }
    return directory;
  }

  /** What is wrong with the files in {@code dir}, or empty if all four match their sums. */
  private static Optional<String> problem(Path dir) {
    for (Map.Entry<String, String> file : SHA256.entrySet()) {
      Path path = dir.resolve(file.getKey());
      if (!Files.isRegularFile(path)) {
        return Optional.of(path + " is missing");
      }
      String actual = sha256(path);
      if (!actual.equals(file.getValue())) {
        return Optional.of(path + " has SHA-256 " + actual + ", expected " + file.getValue());
      }
    }
    return Optional.empty();
  }

  private static String sha256(Path file) {
    try {
      return com.google.common.io.Files.asByteSource(file.toFile())
          .hash(Hashing.sha256())
          .toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path packageFile(Path work) throws IOException {
    try (Stream<Path> files = Files.list(work)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(".deb"))
          .findFirst()
          .orElseThrow(() -> new DataException("apt-get download left no .deb file in " + work));
    }
  }

  /** Runs a command in {@code dir}; its output goes to a log that a failure quotes. */
  private static void run(Path dir, String... command) throws IOException {
    Path log = dir.resolve("command.log");
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    int status;
    try {
      status = process.waitFor();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new DataException("interrupted while running " + String.join(" ", command), e);
    }
    if (status != 0) {
      List<String> lines = Files.readAllLines(log);
      String last = lines.isEmpty() ? "no output" : lines.get(lines.size() - 1).strip();
      throw new DataException(
          String.format("%s exited with status %d: %s", String.join(" ", command), status, last));
    }
  }

  private static boolean onPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }
}

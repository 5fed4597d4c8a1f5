package dev.metaplastic.interop;

import static org.junit.jupiter.api.Assertions.fail;

import dev.metaplastic.data.Examples;
import dev.metaplastic.data.FashionMnist;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the repository's SavedModel fixtures and the Fashion-MNIST test set for the interop
 * tests.
 */
public final class Fixtures {
  private static Examples fashionMnistTest;

  private Fixtures() {}

  /**
   * The repository's {@code fixtures} directory (see its README), as seen from a module's
   * directory, where Maven runs the tests.
   */
  static Path root() {
    Path root = Path.of("..", "fixtures").toAbsolutePath().normalize();
    if (!Files.isDirectory(root.resolve("python-tf"))) {
      fail("cannot find the SavedModel fixtures: " + root + " has no python-tf folder");
    }
    return root;
  }

  /** A fixture of {@code fixtures/python-tf}, such as {@code half_plus_two_v1}. */
  public static Path pythonTf(String name) {
    return existing(root().resolve("python-tf").resolve(name));
  }

  /** A fixture of {@code fixtures/python-keras}, such as {@code fmnist_mlp_sgd}. */
  public static Path pythonKeras(String name) {
    return existing(root().resolve("python-keras").resolve(name));
  }

  private static Path existing(Path dir) {
    if (!Files.isDirectory(dir)) {
      fail("fixture " + dir + " is missing");
    }
    return dir;
  }

  /** The 10,000 Fashion-MNIST test images, loaded once; skips the test if they are absent. */
  static synchronized Examples fashionMnistTest() {
    Assumptions.assumeTrue(
        FashionMnist.isPresent(FashionMnist.DEFAULT_DIR),
        "Fashion-MNIST is not installed in " + FashionMnist.DEFAULT_DIR);
    if (fashionMnistTest == null) {
      fashionMnistTest = FashionMnist.load(FashionMnist.DEFAULT_DIR).test();
    }
    return fashionMnistTest;
  }

  /** Copies a directory tree; the copies are writable. */
  public static Path copyTree(Path from, Path to) {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
          target.toFile().setWritable(true);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return to;
  }

  /** Size and modification time of every file and folder under {@code dir}, by relative path. */
  static Map<String, String> snapshot(Path dir) {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        out.put(
            dir.relativize(file).toString(),
            Files.size(file) + " bytes, modified " + Files.getLastModifiedTime(file).toMillis());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}

package dev.metaplastic.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-user Fashion-MNIST cache, filled from Debian's package for real: {@code apt-get download}
 * and {@code dpkg-deb} must be on the PATH and Debian's mirror reachable, as on the project's
 * machines and CI.
 */
class FashionMnistCacheTest {
  @TempDir Path dir;

  @Test
  void filesThatDifferFromTheRecordedSumsAreNotACompleteCache() throws IOException {
    FashionMnistCache cache = new FashionMnistCache(dir.resolve("fashion-mnist"));
    assertFalse(cache.isComplete());
    IdxTestFiles.writeTinyFashionMnist(Files.createDirectories(cache.directory()));
    for (String name : FashionMnistCache.SHA256.keySet()) {
      Files.copy(
          cache.directory().resolve(name.replace(".gz", "")), cache.directory().resolve(name));
    }
    assertFalse(cache.isComplete());
  }

  @Test
  void fetchesTheDebianPackageChecksItAndReusesIt() throws IOException {
    FashionMnistCache cache = new FashionMnistCache(dir.resolve("cache").resolve("fashion-mnist"));

    Path filled = cache.fetch();

    assertEquals(cache.directory(), filled);
    assertTrue(cache.isComplete());
    try (Stream<Path> files = Files.list(filled)) {
      assertEquals(
          FashionMnistCache.SHA256.keySet().stream().sorted().toList(),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    try (Stream<Path> siblings = Files.list(filled.getParent())) {
      assertEquals(List.of(filled), siblings.toList(), "nothing left from the download");
    }
    FashionMnist data = FashionMnist.load(filled);
    assertEquals(60_000, data.train().size());
    assertEquals(10_000, data.test().size());

    Map<String, FileTime> before = modified(filled);
    assertEquals(filled, cache.fetch());
    assertEquals(before, modified(filled), "a complete cache is reused as it is");

    Path labels = filled.resolve("t10k-labels-idx1-ubyte.gz");
    byte[] bytes = Files.readAllBytes(labels);
    bytes[bytes.length / 2] ^= 1;
    Files.write(labels, bytes);
    assertFalse(cache.isComplete(), "a changed byte breaks the recorded sum");
  }

  private static Map<String, FileTime> modified(Path dir) throws IOException {
    Map<String, FileTime> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        out.put(file.getFileName().toString(), Files.getLastModifiedTime(file));
      }
    }
    return out;
  }
}

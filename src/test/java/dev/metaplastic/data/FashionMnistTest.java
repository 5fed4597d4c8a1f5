package dev.metaplastic.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
  private static final String[] FILE_NAMES = {
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte"
  };

  @TempDir Path dir;

  @Test
  void loadsPlainFilesAsScaledFeatures() {
    IdxTestFiles.writeTinyFashionMnist(dir);

    FashionMnist data = FashionMnist.load(dir);

    assertEquals(20, data.train().size());
    assertEquals(10, data.test().size());
    assertEquals(784, data.train().featureSize());
    assertArrayEquals(IdxTestFiles.cyclicLabels(20), data.train().labels());
    assertArrayEquals(new int[20], data.train().tasks());
    assertArrayEquals(IdxTestFiles.cyclicLabels(10), data.test().labels());
    for (int i : new int[] {0, 7, 19}) {
      for (int j : new int[] {0, 400, 783}) {
        assertEquals(IdxTestFiles.PATTERN.value(i, j) / 255f, data.train().features()[i * 784 + j]);
      }
    }
    assertEquals(dir, data.directory());
  }

  @Test
  void loadsGzippedFiles() {
    FashionMnist plain =
        FashionMnist.load(IdxTestFiles.writeTinyFashionMnist(dir.resolve("plain")));
    Path gzipped = dir.resolve("gzipped");
    IdxTestFiles.writeFashionMnist(gzipped, 20, 10, true, IdxTestFiles.PATTERN);

    FashionMnist data = FashionMnist.load(gzipped);

    assertEquals(plain.train(), data.train());
    assertEquals(plain.test(), data.test());
  }

  @Test
  void fingerprintIsTheSha256OfTheDecodedFilesWhateverTheirCompression() throws Exception {
    Path plainDir = IdxTestFiles.writeTinyFashionMnist(dir.resolve("plain"));
    Path gzipped = dir.resolve("gzipped");
    IdxTestFiles.writeFashionMnist(gzipped, 20, 10, true, IdxTestFiles.PATTERN);
    java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
    for (String name :
        List.of(
            "train-images-idx3-ubyte",
            "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte",
            "t10k-labels-idx1-ubyte")) {
      sha.update(java.nio.file.Files.readAllBytes(plainDir.resolve(name)));
    }
    String expected = java.util.HexFormat.of().formatHex(sha.digest());

    assertEquals(expected, FashionMnist.load(plainDir).fingerprint());
    assertEquals(expected, FashionMnist.load(gzipped).fingerprint());
    IdxTestFiles.writeFashionMnist(dir.resolve("other"), 20, 10, false, (i, j) -> 7);
    assertNotEquals(expected, FashionMnist.load(dir.resolve("other")).fingerprint());
  }

  @Test
  void prefersThePlainFileWhenBothExist() {
    IdxTestFiles.writeTinyFashionMnist(dir);
    IdxTestFiles.write(dir.resolve("train-images-idx3-ubyte.gz"), new byte[] {0x1f, 0x00});

    assertEquals(20, FashionMnist.load(dir).train().size());
  }

  @Test
  void isPresentChecksAllFourFiles() throws Exception {
    assertFalse(FashionMnist.isPresent(dir.resolve("absent")));
    IdxTestFiles.writeTinyFashionMnist(dir);
    assertTrue(FashionMnist.isPresent(dir));
    Files.delete(dir.resolve("t10k-labels-idx1-ubyte"));
    assertFalse(FashionMnist.isPresent(dir));
  }

  @Test
  void missingDirectoryIsReported() {
    Path absent = dir.resolve("absent");

    DataException e = assertThrows(DataException.class, () -> FashionMnist.load(absent));

    assertEquals("data directory " + absent + " does not exist", e.getMessage());
  }

  @Test
  void missingFileIsReportedWithTheExpectedNames() throws Exception {
    IdxTestFiles.writeTinyFashionMnist(dir);
    Files.delete(dir.resolve("t10k-images-idx3-ubyte"));

    DataException e = assertThrows(DataException.class, () -> FashionMnist.load(dir));

    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    assertTrue(
        e.getMessage().contains("has no t10k-images-idx3-ubyte or t10k-images-idx3-ubyte.gz"),
        e.getMessage());
    for (String name : FILE_NAMES) {
      assertTrue(e.getMessage().contains(name), e.getMessage());
    }
  }

  @Test
  void countMismatchIsReported() {
    IdxTestFiles.writeTinyFashionMnist(dir);
    Path labels =
        IdxTestFiles.write(
            dir.resolve("train-labels-idx1-ubyte"),
            IdxTestFiles.labels(IdxTestFiles.cyclicLabels(19)));

    DataException e = assertThrows(DataException.class, () -> FashionMnist.load(dir));

    assertEquals(
        dir.resolve("train-images-idx3-ubyte")
            + " holds 20 images but "
            + labels
            + " holds 19 labels, expected one label per image",
        e.getMessage());
  }

  @Test
  void wrongImageSizeIsReported() {
    IdxTestFiles.writeTinyFashionMnist(dir);
    Path images =
        IdxTestFiles.write(
            dir.resolve("t10k-images-idx3-ubyte"),
            IdxTestFiles.images(10, 32, 32, IdxTestFiles.PATTERN));

    DataException e = assertThrows(DataException.class, () -> FashionMnist.load(dir));

    assertEquals(
        images + " holds 32×32 images, expected 28×28 Fashion-MNIST images", e.getMessage());
  }

  @Test
  void labelOutOfRangeIsReported() {
    IdxTestFiles.writeTinyFashionMnist(dir);
    int[] labels = IdxTestFiles.cyclicLabels(10);
    labels[3] = 10;
    Path file =
        IdxTestFiles.write(dir.resolve("t10k-labels-idx1-ubyte"), IdxTestFiles.labels(labels));

    DataException e = assertThrows(DataException.class, () -> FashionMnist.load(dir));

    assertEquals(
        file + " holds label 10 at index 3, expected a class index from 0 to 9", e.getMessage());
  }

  @Test
  void malformedFileIsReportedByName() {
    IdxTestFiles.writeTinyFashionMnist(dir);
    Path file =
        IdxTestFiles.write(dir.resolve("train-labels-idx1-ubyte"), new byte[] {0x1f, (byte) 0x8b});

    DataException e = assertThrows(DataException.class, () -> FashionMnist.load(dir));

    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
  }

  @Test
  void loadsTheInstalledDataSet() {
    Assumptions.assumeTrue(
        FashionMnist.isPresent(FashionMnist.DEFAULT_DIR),
        "Fashion-MNIST is not installed in " + FashionMnist.DEFAULT_DIR);

    FashionMnist data = FashionMnist.load(FashionMnist.DEFAULT_DIR);

    assertEquals(60000, data.train().size());
    assertEquals(10000, data.test().size());
    assertEquals(9, data.train().labels()[0]);
    assertEquals("Ankle boot", FashionMnist.CLASS_NAMES.get(data.train().labels()[0]));
  }
}

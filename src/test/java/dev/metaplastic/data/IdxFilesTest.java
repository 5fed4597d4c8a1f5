package dev.metaplastic.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFilesTest {
  @TempDir Path dir;

  @Test
  void readsPlainImages() {
    Path file =
        IdxTestFiles.write(
            dir.resolve("images"), IdxTestFiles.images(3, 2, 4, (i, j) -> 10 * i + j));

    IdxFiles.ImageSet images = IdxFiles.readImages(file);

    assertEquals(3, images.count());
    assertEquals(2, images.rows());
    assertEquals(4, images.cols());
    byte[] expected = new byte[24];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 8; j++) {
        expected[i * 8 + j] = (byte) (10 * i + j);
      }
    }
    assertArrayEquals(expected, images.pixels());
  }

  @Test
  void detectsGzipByContentNotName() {
    byte[] plain = IdxTestFiles.images(5, 3, 3, IdxTestFiles.PATTERN);
    Path gzippedWithoutSuffix = IdxTestFiles.write(dir.resolve("images"), IdxTestFiles.gzip(plain));
    Path plainWithSuffix = IdxTestFiles.write(dir.resolve("images.gz"), plain);

    IdxFiles.ImageSet expected = new IdxFiles.ImageSet(5, 3, 3, Arrays.copyOfRange(plain, 16, 61));
    assertEquals(expected, IdxFiles.readImages(gzippedWithoutSuffix));
    assertEquals(expected, IdxFiles.readImages(plainWithSuffix));
  }

  @Test
  void readsLabelsAsUnsignedBytes() {
    byte[] plain = IdxTestFiles.labels(0, 9, 200, 255);
    Path plainFile = IdxTestFiles.write(dir.resolve("labels"), plain);
    Path gzipFile = IdxTestFiles.write(dir.resolve("labels.gz"), IdxTestFiles.gzip(plain));

    assertArrayEquals(new int[] {0, 9, 200, 255}, IdxFiles.readLabels(plainFile));
    assertArrayEquals(new int[] {0, 9, 200, 255}, IdxFiles.readLabels(gzipFile));
  }

  @Test
  void missingFileIsReported() {
    Path file = dir.resolve("absent");

    DataException e = assertThrows(DataException.class, () -> IdxFiles.readImages(file));

    assertEquals(file + " does not exist", e.getMessage());
  }

  @Test
  void directoryIsNotARegularFile() {
    DataException e = assertThrows(DataException.class, () -> IdxFiles.readLabels(dir));

    assertEquals(dir + " is not a regular file", e.getMessage());
  }

  @Test
  void wrongMagicIsReported() {
    Path file = IdxTestFiles.write(dir.resolve("labels"), IdxTestFiles.labels(1, 2));

    DataException e = assertThrows(DataException.class, () -> IdxFiles.readImages(file));

    assertEquals(
        file + " is not an IDX image file: magic number 0x00000801, expected 0x00000803",
        e.getMessage());
  }

  @Test
  void fileShorterThanMagicIsReported() {
    Path file = IdxTestFiles.write(dir.resolve("tiny"), new byte[] {0, 0});

    DataException e = assertThrows(DataException.class, () -> IdxFiles.readLabels(file));

    assertMessage(e, file, "is not an IDX label file: it has only 2 bytes");
  }

  @Test
  void truncatedHeaderIsReported() {
    byte[] full = IdxTestFiles.images(2, 2, 2, IdxTestFiles.PATTERN);
    Path file = IdxTestFiles.write(dir.resolve("images"), Arrays.copyOf(full, 10));

    DataException e = assertThrows(DataException.class, () -> IdxFiles.readImages(file));

    assertMessage(e, file, "is truncated: its header ends after 6 of 12 dimension bytes");
  }

  @Test
  void truncatedImagesAreReported() {
    byte[] full = IdxTestFiles.images(4, 3, 3, IdxTestFiles.PATTERN);
    Path file = IdxTestFiles.write(dir.resolve("images"), Arrays.copyOf(full, full.length - 5));

    DataException e = assertThrows(DataException.class, () -> IdxFiles.readImages(file));

    assertMessage(
        e, file, "is truncated: its header promises 4×3×3 pixel bytes (36 bytes) but only 31");
  }

  @Test
  void truncatedLabelsAreReported() {
    byte[] full = IdxTestFiles.labels(1, 2, 3);
    Path file = IdxTestFiles.write(dir.resolve("labels"), Arrays.copyOf(full, full.length - 1));

    DataException e = assertThrows(DataException.class, () -> IdxFiles.readLabels(file));

    assertMessage(e, file, "is truncated: its header promises 3 label bytes");
  }

  @Test
  void nonPositiveDimensionsAreReported() {
    Path images = IdxTestFiles.write(dir.resolve("images"), IdxTestFiles.header(0x803, 2, 0, 28));
    Path labels = IdxTestFiles.write(dir.resolve("labels"), IdxTestFiles.header(0x801, -1));

    DataException imageError = assertThrows(DataException.class, () -> IdxFiles.readImages(images));
    DataException labelError = assertThrows(DataException.class, () -> IdxFiles.readLabels(labels));

    assertMessage(imageError, images, "has non-positive dimensions 2×0×28");
    assertMessage(labelError, labels, "has non-positive dimension -1");
  }

  @Test
  void corruptGzipIsReported() {
    byte[] gzip = IdxTestFiles.gzip(IdxTestFiles.images(4, 3, 3, IdxTestFiles.PATTERN));
    for (int i = 10; i < gzip.length - 8; i++) {
      gzip[i] = (byte) 0xff;
    }
    Path file = IdxTestFiles.write(dir.resolve("images.gz"), gzip);

    DataException e = assertThrows(DataException.class, () -> IdxFiles.readImages(file));

    assertMessage(e, file, "is a corrupt gzip file");
    assertInstanceOf(ZipException.class, e.getCause());
  }

  @Test
  void truncatedGzipIsReported() {
    byte[] gzip = IdxTestFiles.gzip(IdxTestFiles.images(50, 28, 28, IdxTestFiles.PATTERN));
    Path file = IdxTestFiles.write(dir.resolve("images.gz"), Arrays.copyOf(gzip, gzip.length / 2));

    DataException e = assertThrows(DataException.class, () -> IdxFiles.readImages(file));

    assertMessage(e, file, "is truncated");
  }

  @Test
  void imageSetComparesContents() {
    IdxFiles.ImageSet a = new IdxFiles.ImageSet(1, 1, 2, new byte[] {1, 2});
    IdxFiles.ImageSet b = new IdxFiles.ImageSet(1, 1, 2, new byte[] {1, 2});

    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertEquals("ImageSet[1 images of 1×2]", a.toString());
    assertThrows(IllegalArgumentException.class, () -> new IdxFiles.ImageSet(2, 1, 2, new byte[2]));
  }

  private static void assertMessage(DataException e, Path file, String expectedPart) {
    assertTrue(
        e.getMessage().startsWith(file.toString()) && e.getMessage().contains(expectedPart),
        () -> "message should name " + file + " and say '" + expectedPart + "': " + e.getMessage());
  }
}

package dev.metaplastic.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files and Fashion-MNIST-shaped directories for tests. */
final class IdxTestFiles {
  /** Pixel value of a test image, given the image index and the pixel index. */
  interface PixelFunction {
    int value(int image, int pixel);
  }

  /**
   * Pseudo-random bytes from a multiplicative hash of the image and pixel indices, so that images
   * differ and, across a handful of images, no two pixel positions hold the same values.
   */
  static final PixelFunction PATTERN =
      (image, pixel) -> (int) (((image * 1_000_003L + pixel) * 0x9E3779B97F4A7C15L) >>> 56);

  private IdxTestFiles() {}

  static byte[] header(int magic, int... dimensions) {
    ByteBuffer buffer = ByteBuffer.allocate(Integer.BYTES * (1 + dimensions.length));
    buffer.putInt(magic);
    for (int dimension : dimensions) {
      buffer.putInt(dimension);
    }
    return buffer.array();
  }

  static byte[] images(int count, int rows, int cols, PixelFunction pixels) {
    byte[] header = header(IdxFiles.IMAGE_MAGIC, count, rows, cols);
    int size = rows * cols;
    byte[] file = new byte[header.length + count * size];
    System.arraycopy(header, 0, file, 0, header.length);
    for (int i = 0; i < count; i++) {
      for (int j = 0; j < size; j++) {
        file[header.length + i * size + j] = (byte) pixels.value(i, j);
      }
    }
    return file;
  }

  static byte[] labels(int... labels) {
    byte[] header = header(IdxFiles.LABEL_MAGIC, labels.length);
    byte[] file = new byte[header.length + labels.length];
    System.arraycopy(header, 0, file, 0, header.length);
    for (int i = 0; i < labels.length; i++) {
      file[header.length + i] = (byte) labels[i];
    }
    return file;
  }

  /** Labels {@code 0, 1, …, 9, 0, 1, …} for {@code count} examples. */
  static int[] cyclicLabels(int count) {
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      labels[i] = i % 10;
    }
    return labels;
  }

  static byte[] gzip(byte[] content) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static Path write(Path file, byte[] content) {
    try {
      return Files.write(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes the four Fashion-MNIST files, 28×28 images with {@link #cyclicLabels}, gzipped with a
   * {@code .gz} suffix if asked, creating the directory if needed.
   */
  static Path writeFashionMnist(
      Path dir, int trainCount, int testCount, boolean gzipped, PixelFunction pixels) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    writeFile(dir, "train-images-idx3-ubyte", images(trainCount, 28, 28, pixels), gzipped);
    writeFile(dir, "train-labels-idx1-ubyte", labels(cyclicLabels(trainCount)), gzipped);
    writeFile(dir, "t10k-images-idx3-ubyte", images(testCount, 28, 28, pixels), gzipped);
    writeFile(dir, "t10k-labels-idx1-ubyte", labels(cyclicLabels(testCount)), gzipped);
    return dir;
  }

  /** Writes 20 training and 10 test images of {@link #PATTERN}, plain. */
  static Path writeTinyFashionMnist(Path dir) {
    return writeFashionMnist(dir, 20, 10, false, PATTERN);
  }

  private static void writeFile(Path dir, String name, byte[] content, boolean gzipped) {
    if (gzipped) {
      write(dir.resolve(name + ".gz"), gzip(content));
    } else {
      write(dir.resolve(name), content);
    }
  }
}

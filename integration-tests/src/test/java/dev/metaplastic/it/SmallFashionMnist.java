package dev.metaplastic.it;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a small data set in Fashion-MNIST's format: the four gzipped IDX files, random 28×28
 * images, labels 0 to 9 in turn (so every split task has examples of both its classes).
 */
final class SmallFashionMnist {
  static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
  static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
  static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
  static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";

  private SmallFashionMnist() {}

  /** Writes {@code train} training and {@code test} test images with labels into {@code dir}. */
  static Path write(Path dir, int train, int test, long seed) throws IOException {
    Files.createDirectories(dir);
    Random random = new Random(seed);
    gzip(dir.resolve(TRAIN_IMAGES), images(train, random));
    gzip(dir.resolve(TRAIN_LABELS), labels(train));
    gzip(dir.resolve(TEST_IMAGES), images(test, random));
    gzip(dir.resolve(TEST_LABELS), labels(test));
    return dir;
  }

  /** The IDX bytes of {@code count} random images. */
  static byte[] images(int count, Random random) {
    ByteBuffer b = ByteBuffer.allocate(16 + count * 784);
    b.putInt(0x803).putInt(count).putInt(28).putInt(28);
    byte[] pixels = new byte[count * 784];
    random.nextBytes(pixels);
    return b.put(pixels).array();
  }

  /** The IDX bytes of {@code count} labels 0, 1, …, 9, 0, … */
  static byte[] labels(int count) {
    ByteBuffer b = ByteBuffer.allocate(8 + count);
    b.putInt(0x801).putInt(count);
    for (int i = 0; i < count; i++) {
      b.put((byte) (i % 10));
    }
    return b.array();
  }

  static void gzip(Path file, byte[] content) throws IOException {
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(content);
    }
  }
}

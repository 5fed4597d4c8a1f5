package dev.metaplastic.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST, either plain or gzipped.
 *
 * <p>An IDX file starts with a big-endian magic number, then one big-endian 32-bit size per
 * dimension, then the data. Two kinds are supported: unsigned-byte images {@code [n, rows, cols]}
 * (magic {@code 0x00000803}) and unsigned-byte labels {@code [n]} (magic {@code 0x00000801}). Gzip
 * compression is detected from the file's first two bytes, not from its name.
 *
 * <p>A file is read to its end: a gzipped file's CRC-32 and length (its trailer) are checked, and a
 * file holding more bytes than its header declares is refused, as is one holding fewer. Every
 * failure, including I/O errors, is reported as a {@link DataException} whose message names the
 * file.
 *
 * <p>A reader may pass a {@link MessageDigest} that receives the decoded bytes of the file, header
 * included: what the file holds once ungzipped.
 */
public final class IdxFiles {
  static final int IMAGE_MAGIC = 0x00000803;
  static final int LABEL_MAGIC = 0x00000801;

  private static final int GZIP_MAGIC_0 = 0x1f;
  private static final int GZIP_MAGIC_1 = 0x8b;
  private static final int BUFFER_SIZE = 1 << 16;
  private static final int INITIAL_BODY_CAPACITY = 1 << 26;
  private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

  private IdxFiles() {}

  /**
   * Images read from an IDX image file.
   *
   * <p>Equality and hash code compare the pixel contents.
   *
   * @param count number of images
   * @param rows height of each image in pixels
   * @param cols width of each image in pixels
   * @param pixels {@code count × rows × cols} unsigned bytes, image by image, each row-major
   */
  public record ImageSet(int count, int rows, int cols, byte[] pixels) {
    /** Checks that the dimensions are positive and match the pixel array. */
    public ImageSet {
      checkArgument(
          count > 0 && rows > 0 && cols > 0,
          "dimensions must be positive, got %s×%s×%s",
          count,
          rows,
          cols);
      checkNotNull(pixels, "pixels");
      checkArgument(
          pixels.length == (long) count * rows * cols,
          "%s×%s×%s images need %s pixels, got %s",
          count,
          rows,
          cols,
          (long) count * rows * cols,
          pixels.length);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ImageSet other
          && count == other.count
          && rows == other.rows
          && cols == other.cols
          && Arrays.equals(pixels, other.pixels);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * (31 * count + rows) + cols) + Arrays.hashCode(pixels);
    }

    @Override
    public String toString() {
      return "ImageSet[" + count + " images of " + rows + "×" + cols + "]";
    }
  }

  /**
   * Reads an IDX file of unsigned-byte images.
   *
   * @param file the file, plain or gzipped
   * @return the images
   * @throws DataException if the file is missing, unreadable, truncated, corrupt, not an IDX image
   *     file, or declares non-positive dimensions
   */
  public static ImageSet readImages(Path file) {
    return readImages(file, null);
  }

  /**
   * Reads an IDX file of unsigned-byte images, passing its decoded bytes to {@code digest}.
   *
   * @param digest receives every decoded byte of the file; null for none
   * @see #readImages(Path)
   */
  public static ImageSet readImages(Path file, MessageDigest digest) {
    checkNotNull(file, "file");
    try (InputStream in = open(file, digest)) {
      checkMagic(in, file, IMAGE_MAGIC, "image");
      ByteBuffer header = readHeader(in, file, 3);
      int count = header.getInt();
      int rows = header.getInt();
      int cols = header.getInt();
      if (count <= 0 || rows <= 0 || cols <= 0) {
        throw new DataException(
            String.format(
                "%s has non-positive dimensions %d×%d×%d, expected a positive image count, rows"
                    + " and columns",
                file, count, rows, cols));
      }
      String dims = count + "×" + rows + "×" + cols;
      byte[] pixels = readBody(in, file, (long) count * rows * cols, dims + " pixel bytes");
      checkEnd(in, file, dims + " images");
      return new ImageSet(count, rows, cols, pixels);
    } catch (IOException e) {
      throw readFailure(file, e);
    }
  }

  /**
   * Reads an IDX file of unsigned-byte labels.
   *
   * @param file the file, plain or gzipped
   * @return the labels, each in {@code [0, 255]}
   * @throws DataException if the file is missing, unreadable, truncated, corrupt, not an IDX label
   *     file, or declares a non-positive label count
   */
  public static int[] readLabels(Path file) {
    return readLabels(file, null);
  }

  /**
   * Reads an IDX file of unsigned-byte labels, passing its decoded bytes to {@code digest}.
   *
   * @param digest receives every decoded byte of the file; null for none
   * @see #readLabels(Path)
   */
  public static int[] readLabels(Path file, MessageDigest digest) {
    checkNotNull(file, "file");
    try (InputStream in = open(file, digest)) {
      checkMagic(in, file, LABEL_MAGIC, "label");
      int count = readHeader(in, file, 1).getInt();
      if (count <= 0) {
        throw new DataException(
            String.format(
                "%s has non-positive dimension %d, expected a positive label count", file, count));
      }
      byte[] bytes = readBody(in, file, count, count + " label bytes");
      checkEnd(in, file, count + " labels");
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) {
        labels[i] = bytes[i] & 0xff;
      }
      return labels;
    } catch (IOException e) {
      throw readFailure(file, e);
    }
  }

  /**
   * Opens a file for reading, transparently decompressing it if it starts with gzip magic, and
   * passing the decoded bytes to {@code digest} if it is not null.
   */
  private static InputStream open(Path file, MessageDigest digest) throws IOException {
    if (!Files.exists(file)) {
      throw new DataException(file + " does not exist");
    }
    if (!Files.isRegularFile(file)) {
      throw new DataException(file + " is not a regular file");
    }
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER_SIZE);
    try {
      raw.mark(2);
      boolean gzipped = raw.read() == GZIP_MAGIC_0 && raw.read() == GZIP_MAGIC_1;
      raw.reset();
      InputStream decoded = gzipped ? new GZIPInputStream(raw, BUFFER_SIZE) : raw;
      return digest == null ? decoded : new DigestInputStream(decoded, digest);
    } catch (IOException e) {
      raw.close();
      throw e;
    }
  }

  private static void checkMagic(InputStream in, Path file, int expected, String kind)
      throws IOException {
    byte[] magic = in.readNBytes(Integer.BYTES);
    if (magic.length < Integer.BYTES) {
      throw new DataException(
          String.format(
              "%s is not an IDX %s file: it has only %d bytes, expected a 4-byte magic number"
                  + " 0x%08x",
              file, kind, magic.length, expected));
    }
    int actual = ByteBuffer.wrap(magic).getInt();
    if (actual != expected) {
      throw new DataException(
          String.format(
              "%s is not an IDX %s file: magic number 0x%08x, expected 0x%08x",
              file, kind, actual, expected));
    }
  }

  /** Reads the big-endian dimension sizes that follow the magic number. */
  private static ByteBuffer readHeader(InputStream in, Path file, int dimensions)
      throws IOException {
    int length = dimensions * Integer.BYTES;
    byte[] header = in.readNBytes(length);
    if (header.length < length) {
      throw new DataException(
          String.format(
              "%s is truncated: its header ends after %d of %d dimension bytes",
              file, header.length, length));
    }
    return ByteBuffer.wrap(header);
  }

  /**
   * Reads exactly {@code length} bytes, growing the array as data arrives so that a corrupt header
   * promising a huge body cannot force a huge allocation up front.
   */
  private static byte[] readBody(InputStream in, Path file, long length, String what)
      throws IOException {
    if (length > MAX_ARRAY_LENGTH) {
      throw new DataException(
          String.format(
              "%s declares %s, more than the %d bytes this reader supports",
              file, what, MAX_ARRAY_LENGTH));
    }
    int expected = (int) length;
    byte[] body = new byte[Math.min(expected, INITIAL_BODY_CAPACITY)];
    int filled = 0;
    while (filled < expected) {
      if (filled == body.length) {
        body = Arrays.copyOf(body, (int) Math.min(expected, 2L * body.length));
      }
      int read = in.read(body, filled, body.length - filled);
      if (read < 0) {
        throw new DataException(
            String.format(
                "%s is truncated: its header promises %s (%d bytes) but only %d follow",
                file, what, expected, filled));
      }
      filled += read;
    }
    return body;
  }

  /**
   * Checks that nothing follows the declared data. Reading to the end is also what makes {@link
   * GZIPInputStream} check the gzip trailer: the CRC-32 and the length of the decoded data.
   */
  private static void checkEnd(InputStream in, Path file, String declared) throws IOException {
    if (in.read() >= 0) {
      throw new DataException(
          String.format(
              "%s holds more bytes than its header declares (%s); the file is damaged or its"
                  + " header is wrong",
              file, declared));
    }
  }

  private static DataException readFailure(Path file, IOException e) {
    if (e instanceof ZipException) {
      return new DataException(
          String.format(
              "%s is a corrupt gzip file (%s), expected a valid gzip stream or a plain IDX file",
              file, e.getMessage()),
          e);
    }
    if (e instanceof EOFException) {
      return new DataException(
          String.format("%s is truncated: its gzip stream ends early (%s)", file, e.getMessage()),
          e);
    }
    return new DataException(String.format("could not read %s: %s", file, e), e);
  }
}

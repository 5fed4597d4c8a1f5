package dev.metaplastic.data;

import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The Fashion-MNIST data set: 60000 training and 10000 test 28×28 grey-scale images of clothing in
 * 10 classes.
 *
 * <p>A data directory holds the four IDX files {@code train-images-idx3-ubyte}, {@code
 * train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte}, each
 * plain or gzipped with a {@code .gz} suffix. Features are pixel intensities scaled to {@code [0,
 * 1]}; labels are the class indices 0 to 9 of {@link #CLASS_NAMES}; task ids are all 0.
 *
 * <p>Loading verifies the files (see {@link IdxFiles}: gzip CRC and length, header against content)
 * and their agreement (28×28 images, one label in {@code [0, 9]} per image), and computes the data
 * set's {@link #fingerprint()}.
 */
public final class FashionMnist {
  /**
   * Where the data set is read from by default: the directory named by the system property {@code
   * metaplastic.fashionMnist} or else the environment variable {@code METAPLASTIC_FASHION_MNIST},
   * or else {@code /usr/share/datasets/fashion-mnist}, where Debian's package {@code
   * dataset-fashion-mnist} installs it.
   */
  public static final Path DEFAULT_DIR = defaultDir();

  /** Class names, indexed by label. */
  public static final List<String> CLASS_NAMES =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");

  static final int SIDE = 28;
  static final int IMAGE_SIZE = SIDE * SIDE;

  private static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
  private static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
  private static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
  private static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
  private static final List<String> FILE_NAMES =
      List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);
  private static final String GZIP_SUFFIX = ".gz";

  /** Feature value of each unsigned pixel byte, so decoding is a table look-up. */
  private static final float[] PIXEL_VALUES = pixelValues();

  private final Path directory;
  private final Examples train;
  private final Examples test;
  private final String fingerprint;

  private FashionMnist(Path directory, Examples train, Examples test, String fingerprint) {
    this.directory = directory;
    this.train = train;
    this.test = test;
    this.fingerprint = fingerprint;
  }

  /**
   * Loads the data set from a directory.
   *
   * @param dir directory holding the four IDX files, plain or gzipped; if both forms of a file
   *     exist the plain one is read
   * @return the loaded data set
   * @throws DataException if the directory or a file is missing, or a file is malformed or does not
   *     hold one label in {@code [0, 9]} per 28×28 image
   */
  public static FashionMnist load(Path dir) {
    checkNotNull(dir, "dir");
    if (!Files.exists(dir)) {
      throw new DataException("data directory " + dir + " does not exist");
    }
    if (!Files.isDirectory(dir)) {
      throw new DataException("data directory " + dir + " is not a directory");
    }
    Path trainImages = requireFile(dir, TRAIN_IMAGES);
    Path trainLabels = requireFile(dir, TRAIN_LABELS);
    Path testImages = requireFile(dir, TEST_IMAGES);
    Path testLabels = requireFile(dir, TEST_LABELS);
    MessageDigest sha256 = sha256();
    Examples train = readExamples(trainImages, trainLabels, sha256);
    Examples test = readExamples(testImages, testLabels, sha256);
    return new FashionMnist(dir, train, test, HexFormat.of().formatHex(sha256.digest()));
  }

  /**
   * Tells whether a directory holds all four Fashion-MNIST files, without reading them.
   *
   * @param dir the directory to inspect
   * @return whether every file exists, plain or gzipped
   */
  public static boolean isPresent(Path dir) {
    checkNotNull(dir, "dir");
    return FILE_NAMES.stream().allMatch(name -> findFile(dir, name) != null);
  }

  /** The 60000 training examples (fewer for a smaller directory of the same format). */
  public Examples train() {
    return train;
  }

  /** The 10000 test examples (fewer for a smaller directory of the same format). */
  public Examples test() {
    return test;
  }

  /**
   * The SHA-256 of the four files' decoded contents, concatenated in the order train images, train
   * labels, test images, test labels (hex): the same for a gzipped and a plain copy of the data,
   * different for any other data. In Python: {@code hashlib.sha256(b"".join(gzip.open(f).read() for
   * f in files))}. It is computed from the bytes read while loading, so it describes exactly the
   * data in {@link #train()} and {@link #test()}.
   */
  public String fingerprint() {
    return fingerprint;
  }

  /** The directory the data was loaded from. */
  Path directory() {
    return directory;
  }

  private static Path findFile(Path dir, String name) {
    Path plain = dir.resolve(name);
    if (Files.isRegularFile(plain)) {
      return plain;
    }
    Path gzipped = dir.resolve(name + GZIP_SUFFIX);
    return Files.isRegularFile(gzipped) ? gzipped : null;
  }

  private static Path requireFile(Path dir, String name) {
    Path file = findFile(dir, name);
    if (file == null) {
      throw new DataException(
          String.format(
              "data directory %s has no %s or %s%s; expected the Fashion-MNIST files %s, each"
                  + " plain or gzipped with a %s suffix",
              dir, name, name, GZIP_SUFFIX, String.join(", ", FILE_NAMES), GZIP_SUFFIX));
    }
    return file;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static Examples readExamples(Path imagesFile, Path labelsFile, MessageDigest digest) {
    IdxFiles.ImageSet images = IdxFiles.readImages(imagesFile, digest);
    if (images.rows() != SIDE || images.cols() != SIDE) {
      throw new DataException(
          String.format(
              "%s holds %d×%d images, expected %d×%d Fashion-MNIST images",
              imagesFile, images.rows(), images.cols(), SIDE, SIDE));
    }
    int[] labels = IdxFiles.readLabels(labelsFile, digest);
    if (labels.length != images.count()) {
      throw new DataException(
          String.format(
              "%s holds %d images but %s holds %d labels, expected one label per image",
              imagesFile, images.count(), labelsFile, labels.length));
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= CLASS_NAMES.size()) {
        throw new DataException(
            String.format(
                "%s holds label %d at index %d, expected a class index from 0 to %d",
                labelsFile, labels[i], i, CLASS_NAMES.size() - 1));
      }
    }
    byte[] pixels = images.pixels();
    float[] features = new float[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      features[i] = PIXEL_VALUES[pixels[i] & 0xff];
    }
    return new Examples(features, labels, new int[labels.length], IMAGE_SIZE);
  }

  private static Path defaultDir() {
    String property = System.getProperty("metaplastic.fashionMnist");
    if (property != null && !property.isEmpty()) {
      return Path.of(property);
    }
    String variable = System.getenv("METAPLASTIC_FASHION_MNIST");
    return Path.of(
        variable != null && !variable.isEmpty() ? variable : "/usr/share/datasets/fashion-mnist");
  }

  private static float[] pixelValues() {
    float[] values = new float[256];
    for (int b = 0; b < values.length; b++) {
      values[b] = b / 255f;
    }
    return values;
  }
}

package dev.metaplastic.data;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A synthetic task-incremental stream of 28×28 images that needs no download.
 *
 * <p>Each task distinguishes two classes, with labels 0 and 1 and a head of its own. Each class has
 * a prototype image made of 3 to 6 Gaussian blobs with values in {@code [0, 1]}; an example is its
 * class prototype shifted by up to ±{@value #MAX_SHIFT} pixels in each direction, plus Gaussian
 * pixel noise of standard deviation {@value #NOISE}, clipped to {@code [0, 1]}.
 *
 * <p>Every blob is centred on one of a small pool of positions shared by all tasks, and the two
 * classes of a task differ in at least two of their blob positions. So each task alone is easy to
 * learn, while classes of different tasks light up the same pixels, and learning a later task
 * disturbs the features earlier heads rely on.
 *
 * <p>Each task has {@value #TRAIN_PER_TASK} training and {@value #TEST_PER_TASK} test examples,
 * alternating between the two classes. The stream is a function of its seed, and task {@code t} is
 * the same whatever the number of tasks.
 */
public final class GeneratedStream implements TaskStream {
  static final int TRAIN_PER_TASK = 2000;
  static final int TEST_PER_TASK = 500;
  static final int MAX_SHIFT = 2;
  static final double NOISE = 0.15;

  private static final int SIDE = FashionMnist.SIDE;
  private static final int IMAGE_SIZE = FashionMnist.IMAGE_SIZE;
  private static final int CLASSES = 2;
  private static final int GRID = 3;
  private static final double GRID_FIRST = 8;
  private static final double GRID_SPACING = 6;
  private static final double CENTRE_JITTER = 1.5;
  private static final int MIN_BLOBS = 3;
  private static final int MAX_BLOBS = 6;
  private static final int MIN_DIFFERENT_BLOBS = 2;
  private static final double MIN_SIGMA = 1.5;
  private static final double MAX_SIGMA = 3;
  private static final double MIN_AMPLITUDE = 0.6;
  private static final double MAX_AMPLITUDE = 1;

  private final List<Task> tasks;

  private GeneratedStream(List<Task> tasks) {
    this.tasks = List.copyOf(tasks);
  }

  /**
   * Generates a stream.
   *
   * @param numTasks number of tasks, at least 1
   * @param seed seed of everything random; the same seed gives the same stream
   * @return the stream
   */
  public static GeneratedStream of(int numTasks, long seed) {
    checkArgument(numTasks >= 1, "need at least 1 generated task, got %s", numTasks);
    SplittableRandom random = new SplittableRandom(seed);
    double[][] pool = blobCentres(random);
    List<Task> tasks = new ArrayList<>(numTasks);
    for (int t = 0; t < numTasks; t++) {
      SplittableRandom taskRandom = random.split();
      boolean[] first = chooseCentres(pool.length, taskRandom);
      boolean[] second;
      do {
        second = chooseCentres(pool.length, taskRandom);
      } while (differences(first, second) < MIN_DIFFERENT_BLOBS);
      float[][] prototypes = {
        prototype(pool, first, taskRandom), prototype(pool, second, taskRandom)
      };
      tasks.add(
          new Task(
              t,
              "generated task " + t,
              sample(prototypes, t, TRAIN_PER_TASK, taskRandom),
              sample(prototypes, t, TEST_PER_TASK, taskRandom)));
    }
    return new GeneratedStream(tasks);
  }

  @Override
  public String name() {
    return "generated-split (task-incremental)";
  }

  @Override
  public int featureSize() {
    return IMAGE_SIZE;
  }

  @Override
  public int heads() {
    return tasks.size();
  }

  @Override
  public int classesPerHead() {
    return CLASSES;
  }

  @Override
  public List<Task> tasks() {
    return tasks;
  }

  @Override
  public String source() {
    return "generated (no data set needed)";
  }

  /** The shared blob positions: a jittered 3×3 grid, so no two are close together. */
  private static double[][] blobCentres(SplittableRandom random) {
    double[][] centres = new double[GRID * GRID][];
    for (int i = 0; i < centres.length; i++) {
      centres[i] =
          new double[] {
            GRID_FIRST + GRID_SPACING * (i % GRID) + random.nextDouble(-1, 1) * CENTRE_JITTER,
            GRID_FIRST + GRID_SPACING * (i / GRID) + random.nextDouble(-1, 1) * CENTRE_JITTER
          };
    }
    return centres;
  }

  /** Picks 3 to 6 distinct pool positions, returned as membership flags. */
  private static boolean[] chooseCentres(int poolSize, SplittableRandom random) {
    boolean[] chosen = new boolean[poolSize];
    int blobs = random.nextInt(MIN_BLOBS, MAX_BLOBS + 1);
    for (int picked = 0; picked < blobs; ) {
      int centre = random.nextInt(poolSize);
      if (!chosen[centre]) {
        chosen[centre] = true;
        picked++;
      }
    }
    return chosen;
  }

  private static int differences(boolean[] a, boolean[] b) {
    int count = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        count++;
      }
    }
    return count;
  }

  private static float[] prototype(double[][] pool, boolean[] chosen, SplittableRandom random) {
    double[] image = new double[IMAGE_SIZE];
    for (int c = 0; c < pool.length; c++) {
      if (!chosen[c]) {
        continue;
      }
      double sigma = random.nextDouble(MIN_SIGMA, MAX_SIGMA);
      double amplitude = random.nextDouble(MIN_AMPLITUDE, MAX_AMPLITUDE);
      double scale = -1 / (2 * sigma * sigma);
      for (int y = 0; y < SIDE; y++) {
        double dy = y - pool[c][1];
        for (int x = 0; x < SIDE; x++) {
          double dx = x - pool[c][0];
          image[y * SIDE + x] += amplitude * Math.exp(scale * (dx * dx + dy * dy));
        }
      }
    }
    float[] clipped = new float[IMAGE_SIZE];
    for (int i = 0; i < IMAGE_SIZE; i++) {
      clipped[i] = (float) Math.min(1, image[i]);
    }
    return clipped;
  }

  private static Examples sample(
      float[][] prototypes, int task, int count, SplittableRandom random) {
    float[] features = new float[count * IMAGE_SIZE];
    int[] labels = new int[count];
    int[] tasks = new int[count];
    Arrays.fill(tasks, task);
    for (int i = 0; i < count; i++) {
      labels[i] = i % CLASSES;
      float[] prototype = prototypes[labels[i]];
      int shiftX = random.nextInt(-MAX_SHIFT, MAX_SHIFT + 1);
      int shiftY = random.nextInt(-MAX_SHIFT, MAX_SHIFT + 1);
      int row = i * IMAGE_SIZE;
      for (int y = 0; y < SIDE; y++) {
        int fromY = y - shiftY;
        for (int x = 0; x < SIDE; x++) {
          int fromX = x - shiftX;
          boolean inside = fromY >= 0 && fromY < SIDE && fromX >= 0 && fromX < SIDE;
          double value =
              (inside ? prototype[fromY * SIDE + fromX] : 0) + NOISE * random.nextGaussian();
          features[row + y * SIDE + x] = (float) Math.min(1, Math.max(0, value));
        }
      }
    }
    return new Examples(features, labels, tasks, IMAGE_SIZE);
  }
}

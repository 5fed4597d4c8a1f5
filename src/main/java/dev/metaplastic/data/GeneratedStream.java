package dev.metaplastic.data;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A synthetic task-incremental stream of 28×28 images that needs no download, built so that
 * learning its tasks one after another without protection forgets the earlier ones.
 *
 * <p>Every image is drawn the same way, whatever the task: each of 9 Gaussian blobs, centred on a
 * jittered 3×3 grid shared by all tasks, is present with probability ½, with an amplitude in
 * [{@value #MIN_AMPLITUDE}, {@value #MAX_AMPLITUDE}); Gaussian pixel noise of standard deviation
 * {@value #NOISE} is added and the result clipped to [0, 1]. Task t has two blobs of its own, p_t
 * and q_t (a different pair for each task while pairs last), and label 1 when exactly one of them
 * is present: the exclusive or of the two. Labels alternate 0, 1, 0, … and each task has a head of
 * its own.
 *
 * <p>Both classes of a task have the same mean image, so no linear read-out of the pixels tells
 * them apart: each task needs hidden units that detect its own pair, and the next task, on the same
 * images, retunes those units for another pair. Measured with {@code metaplastic demo --stream
 * generated} (784-256-256, Adam 10⁻³, 2 epochs per task; see the README for the figures),
 * fine-tuning forgets and Synaptic Intelligence keeps most of what it learned.
 *
 * <p>Each task has {@code trainPerTask} training (by default {@value #DEFAULT_TRAIN_PER_TASK}) and
 * {@value #TEST_PER_TASK} test examples. The stream is a function of its seed and size, and task
 * {@code t} is the same whatever the number of tasks.
 */
public final class GeneratedStream implements TaskStream {
  static final int DEFAULT_TRAIN_PER_TASK = 10_000;
  static final int TEST_PER_TASK = 500;
  static final double NOISE = 0.15;

  private static final int SIDE = FashionMnist.SIDE;
  private static final int IMAGE_SIZE = FashionMnist.IMAGE_SIZE;
  private static final int CLASSES = 2;
  private static final int GRID = 3;
  private static final double GRID_FIRST = 8;
  private static final double GRID_SPACING = 6;
  private static final double CENTRE_JITTER = 1.5;
  private static final double MIN_SIGMA = 1.5;
  private static final double MAX_SIGMA = 3;
  private static final double MIN_AMPLITUDE = 0.6;
  private static final double MAX_AMPLITUDE = 1;

  private final List<Task> tasks;

  private GeneratedStream(List<Task> tasks) {
    this.tasks = List.copyOf(tasks);
  }

  /**
   * Generates a stream with {@value #DEFAULT_TRAIN_PER_TASK} training examples per task, the size
   * at which fine-tuning forgets within the demo's 2 epochs per task.
   *
   * @param numTasks number of tasks, at least 1
   * @param seed seed of everything random; the same seed gives the same stream
   * @return the stream
   */
  public static GeneratedStream of(int numTasks, long seed) {
    return of(numTasks, seed, DEFAULT_TRAIN_PER_TASK);
  }

  /**
   * Generates a stream with {@code trainPerTask} training examples per task: fewer make a faster
   * stream for tests, whose tasks are learned less well.
   *
   * @param numTasks number of tasks, at least 1
   * @param seed seed of everything random; the same seed gives the same stream
   * @param trainPerTask training examples per task, at least 2
   * @return the stream
   */
  public static GeneratedStream of(int numTasks, long seed, int trainPerTask) {
    checkArgument(numTasks >= 1, "need at least 1 generated task, got %s", numTasks);
    checkArgument(
        trainPerTask >= CLASSES, "need at least 2 examples per task, got %s", trainPerTask);
    SplittableRandom random = new SplittableRandom(seed);
    float[][] blobs = blobs(random);
    List<int[]> pairs = new ArrayList<>();
    List<Task> tasks = new ArrayList<>(numTasks);
    for (int t = 0; t < numTasks; t++) {
      SplittableRandom taskRandom = random.split();
      int[] pair = newPair(pairs, blobs.length, taskRandom);
      tasks.add(
          new Task(
              t,
              "generated task " + t,
              sample(blobs, pair, t, trainPerTask, taskRandom),
              sample(blobs, pair, t, TEST_PER_TASK, taskRandom)));
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

  /** The 9 blob images: a jittered 3×3 grid of Gaussians of unit height, one width each. */
  private static float[][] blobs(SplittableRandom random) {
    float[][] blobs = new float[GRID * GRID][IMAGE_SIZE];
    for (int b = 0; b < blobs.length; b++) {
      double cx = GRID_FIRST + GRID_SPACING * (b % GRID) + random.nextDouble(-1, 1) * CENTRE_JITTER;
      double cy = GRID_FIRST + GRID_SPACING * (b / GRID) + random.nextDouble(-1, 1) * CENTRE_JITTER;
      double sigma = random.nextDouble(MIN_SIGMA, MAX_SIGMA);
      double scale = -1 / (2 * sigma * sigma);
      for (int y = 0; y < SIDE; y++) {
        for (int x = 0; x < SIDE; x++) {
          double dx = x - cx;
          double dy = y - cy;
          blobs[b][y * SIDE + x] = (float) Math.exp(scale * (dx * dx + dy * dy));
        }
      }
    }
    return blobs;
  }

  /** A pair of distinct blobs no earlier task used, if one is left; recorded in {@code used}. */
  private static int[] newPair(List<int[]> used, int count, SplittableRandom random) {
    boolean fresh = used.size() < count * (count - 1) / 2;
    while (true) {
      int p = random.nextInt(count);
      int q = random.nextInt(count);
      if (p == q) {
        continue;
      }
      int[] pair = {Math.min(p, q), Math.max(p, q)};
      if (!fresh || used.stream().noneMatch(u -> Arrays.equals(u, pair))) {
        used.add(pair);
        return pair;
      }
    }
  }

  private static Examples sample(
      float[][] blobs, int[] pair, int task, int count, SplittableRandom random) {
    float[] features = new float[count * IMAGE_SIZE];
    int[] labels = new int[count];
    int[] tasks = new int[count];
    Arrays.fill(tasks, task);
    double[] image = new double[IMAGE_SIZE];
    for (int i = 0; i < count; i++) {
      labels[i] = i % CLASSES;
      boolean first = random.nextBoolean();
      boolean second = labels[i] == 1 ? !first : first;
      Arrays.fill(image, 0);
      for (int b = 0; b < blobs.length; b++) {
        boolean present = b == pair[0] ? first : b == pair[1] ? second : random.nextBoolean();
        if (present) {
          double amplitude = random.nextDouble(MIN_AMPLITUDE, MAX_AMPLITUDE);
          for (int k = 0; k < IMAGE_SIZE; k++) {
            image[k] += amplitude * blobs[b][k];
          }
        }
      }
      int row = i * IMAGE_SIZE;
      for (int k = 0; k < IMAGE_SIZE; k++) {
        double value = image[k] + NOISE * random.nextGaussian();
        features[row + k] = (float) Math.min(1, Math.max(0, value));
      }
    }
    return new Examples(features, labels, tasks, IMAGE_SIZE);
  }
}

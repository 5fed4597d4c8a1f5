package dev.metaplastic;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;

/**
 * Loads TensorFlow's native library without its start-up log lines, unless asked for them.
 *
 * <p>TensorFlow's C++ code writes to the process's standard error through two loggers: its own,
 * which reads {@code TF_CPP_MIN_LOG_LEVEL} once, at its first message, and a private copy of
 * Abseil's inside {@code libtensorflow_cc}, which reads no setting and prints {@code WARNING: All
 * log messages before absl::InitializeLog() is called are written to STDERR} and {@code MLIR V1
 * optimization pass is not enabled} at the first session run of every process. So {@link
 * #loadTensorFlow()}, called by every entry point of Metaplastic that opens a session or loads a
 * SavedModel, does this once per process: it sets {@code TF_CPP_MIN_LOG_LEVEL=2} in the process
 * environment (unless the variable is already set), points file descriptor 2 at {@code /dev/null},
 * loads TensorFlow and runs a one-op graph, then points descriptor 2 back where it was. Warnings
 * and errors that come later reach standard error as usual; only the start-up lines and
 * TensorFlow's informational and warning lines are gone.
 *
 * <p>Before loading, it also switches off JavaCPP's reads of the process's resident size ({@link
 * NativeMemory}), which made graph building about twice as slow.
 *
 * <p>The system property {@value #PROPERTY} or, if it is not set, the environment variable {@value
 * #ENVIRONMENT} set to {@code verbose} keeps every native line. The libc calls go through JNA;
 * where they cannot be made (Windows, or no JNA native support), TensorFlow is loaded as it is.
 */
public final class NativeLog {
  /** System property that, set to {@code verbose}, keeps TensorFlow's native log. */
  public static final String PROPERTY = "metaplastic.nativeLog";

  /** Environment variable read when {@value #PROPERTY} is not set. */
  public static final String ENVIRONMENT = "METAPLASTIC_NATIVE_LOG";

  private static final int STDERR = 2;
  private static final int O_WRONLY = 1;

  private static boolean loaded;

  private NativeLog() {}

  /** The few libc functions used here. */
  private interface LibC extends Library {
    int setenv(String name, String value, int overwrite);

    int dup(int fd);

    int dup2(int from, int to);

    int open(String path, int flags);

    int close(int fd);
  }

  /**
   * Asks for TensorFlow's whole native log, as {@code --verbose} does; has an effect only before
   * TensorFlow is loaded.
   */
  public static void verbose() {
    System.setProperty(PROPERTY, "verbose");
  }

  /** Whether the native log is kept: {@value #PROPERTY} or {@value #ENVIRONMENT} is verbose. */
  public static boolean isVerbose() {
    String setting = System.getProperty(PROPERTY);
    if (setting == null) {
      setting = System.getenv(ENVIRONMENT);
    }
    return "verbose".equalsIgnoreCase(setting);
  }

  /**
   * Loads TensorFlow's native library, once per process, quietly unless {@link #isVerbose()} (see
   * the class description). Call it before the first TensorFlow class is used.
   */
  public static synchronized void loadTensorFlow() {
    if (loaded) {
      return;
    }
    loaded = true;
    NativeMemory.skipResidentSizeReads();
    if (isVerbose() || Platform.isWindows()) {
      return;
    }
    LibC libc;
    try {
      libc = Native.load(Platform.C_LIBRARY_NAME, LibC.class);
    } catch (LinkageError e) {
      return;
    }
    if (System.getenv("TF_CPP_MIN_LOG_LEVEL") == null) {
      libc.setenv("TF_CPP_MIN_LOG_LEVEL", "2", 0);
    }
    int saved = libc.dup(STDERR);
    if (saved < 0) {
      return;
    }
    int devNull = libc.open("/dev/null", O_WRONLY);
    if (devNull < 0) {
      libc.close(saved);
      return;
    }
    System.err.flush();
    libc.dup2(devNull, STDERR);
    libc.close(devNull);
    try {
      runOneOpGraph();
    } finally {
      System.err.flush();
      libc.dup2(saved, STDERR);
      libc.close(saved);
    }
  }

  /** Loads TensorFlow and runs a constant, which prints the start-up lines. */
  private static void runOneOpGraph() {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      try (Result result = session.runner().fetch(tf.constant(0f)).run()) {
        result.size();
      }
    }
  }
}

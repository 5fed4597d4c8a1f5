package dev.metaplastic.cli;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/** Whether standard error is a terminal, where a progress bar can redraw itself in place. */
final class Terminal {
  private static final int STDERR = 2;

  private Terminal() {}

  /** libc's {@code isatty}. */
  private interface LibC extends Library {
    int isatty(int fd);
  }

  /**
   * Tells whether standard error is a terminal: libc's {@code isatty(2)} through JNA, or, where
   * that cannot be called, whether the JVM has a console.
   */
  static boolean standardError() {
    if (!Platform.isWindows()) {
      try {
        return Native.load(Platform.C_LIBRARY_NAME, LibC.class).isatty(STDERR) == 1;
      } catch (LinkageError e) {
        // no JNA support on this platform: fall through
      }
    }
    return System.console() != null;
  }
}

package dev.metaplastic;

import java.util.Locale;

/**
 * JavaCPP's watch on the process's resident memory, switched off unless the user set it.
 *
 * <p>TensorFlow Java reaches the native library through JavaCPP, which by default reads the
 * process's resident size (from {@code /proc/self/statm} on Linux) each time it allocates a native
 * pointer, to run the garbage collector when the size passes its limit {@code
 * org.bytedeco.javacpp.maxPhysicalBytes}: a net for native memory that is left to the garbage
 * collector. Metaplastic closes every graph, session and tensor when it is done with it, so the net
 * catches nothing here, while the reads cost: building the training graph of EWC (2483 ops) took
 * 560 ms with them and 330 ms without, a plain MLP's (607 ops) 100 ms and 30–55 ms (measured on
 * 2026-12-07). JavaCPP's limit on the memory it allocates itself ({@code maxBytes}) stays as it is.
 */
final class NativeMemory {
  /** JavaCPP's setting, read once, when its first pointer class is initialised. */
  static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxPhysicalBytes";

  private NativeMemory() {}

  /**
   * Sets {@value #MAX_PHYSICAL_BYTES} to 0 (no limit, no reads) unless it is set already, in either
   * of the spellings JavaCPP reads; has an effect only before JavaCPP's first pointer.
   */
  static void skipResidentSizeReads() {
    if (System.getProperty(MAX_PHYSICAL_BYTES) == null
        && System.getProperty(MAX_PHYSICAL_BYTES.toLowerCase(Locale.ROOT)) == null) {
      System.setProperty(MAX_PHYSICAL_BYTES, "0");
    }
  }
}

package dev.metaplastic.it;

import dev.metaplastic.NativeLog;
import org.bytedeco.javacpp.Pointer;

/**
 * A child process for {@link NativeMemoryTest}: loads TensorFlow as every entry point of
 * Metaplastic does and prints JavaCPP's resident-size limit.
 */
public final class PointerLimit {
  private PointerLimit() {}

  public static void main(String[] args) {
    NativeLog.loadTensorFlow();
    System.out.println(Pointer.maxPhysicalBytes());
  }
}

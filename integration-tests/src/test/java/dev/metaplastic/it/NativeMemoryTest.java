package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Loading TensorFlow switches off JavaCPP's resident-size reads unless the user set their limit;
 * each case needs a fresh process, since JavaCPP reads the setting once.
 */
class NativeMemoryTest {
  @Test
  void loadingTensorFlowLiftsJavaCppsResidentSizeLimit() throws Exception {
    assertEquals("0", limitIn());
  }

  @Test
  void aLimitTheUserSetStays() throws Exception {
    assertEquals("123456789", limitIn("-Dorg.bytedeco.javacpp.maxPhysicalBytes=123456789"));
  }

  private static String limitIn(String... jvmOptions) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(List.of(jvmOptions));
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), PointerLimit.class.getName()));
    Process child =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertEquals(0, child.waitFor(), out);
    return out;
  }
}

package dev.metaplastic.graphs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Checks the package's promise that it builds graphs and runs none: no compiled class of this
 * module refers to TensorFlow's {@code Session} or {@code SavedModelBundle}; the façade's sessions
 * ({@code dev.metaplastic.train}) run what is built here.
 */
class NoSessionTest {
  private static final List<String> RUNNERS =
      List.of("org/tensorflow/Session", "org/tensorflow/SavedModelBundle");

  @Test
  void noClassOfTheModuleRefersToASession() throws URISyntaxException, IOException {
    Path classes =
        Path.of(TrainingGraph.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (Stream<Path> files = Files.walk(classes)) {
      List<Path> all = files.filter(f -> f.toString().endsWith(".class")).toList();
      assertTrue(all.size() > 20, "too few classes under " + classes + ": " + all.size());
      List<String> running =
          all.stream().filter(NoSessionTest::refersToARunner).map(Path::toString).toList();
      assertEquals(List.of(), running);
    }
  }

  /** Whether the class file's constant pool names {@code Session} or {@code SavedModelBundle}. */
  private static boolean refersToARunner(Path classFile) {
    try {
      String bytes = new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1);
      return RUNNERS.stream().anyMatch(bytes::contains);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package dev.metaplastic.it;

import dev.metaplastic.data.GeneratedStream;
import dev.metaplastic.data.TaskStream;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.ops.SynapticIntelligence;
import dev.metaplastic.train.ModelSession;
import dev.metaplastic.train.TrainerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Small, fast settings shared by the end-to-end tests. */
final class Fixtures {
  /** A three-task generated stream, small for speed: no download needed. */
  static final TaskStream STREAM = GeneratedStream.of(3, 4, 2000);

  private Fixtures() {}

  /**
   * A folder of the repository's {@code fixtures} directory (SavedModels written by Python, see its
   * README), such as {@code python-tf}, as seen from this module's directory, where Maven runs the
   * tests.
   */
  static Path savedModels(String folder) {
    return Path.of("..", "fixtures", folder).toAbsolutePath().normalize();
  }

  /** A small multi-head MLP with Adam and SI. */
  static TrainerConfig config() {
    return new TrainerConfig(
        List.of(32, 16),
        1,
        64,
        OptimizerConfig.Adam.withLearningRate(0.002),
        List.of(SynapticIntelligence.Config.SPLIT),
        7);
  }

  /** Every float variable of a model, by name. */
  static Map<String, float[]> snapshot(ModelSession model) {
    Map<String, float[]> values = new LinkedHashMap<>();
    for (String name : model.graph().loaders().keySet()) {
      values.put(name, model.read(name));
    }
    return values;
  }

  /** Size and modification time of every file under {@code dir}, to show nothing changed. */
  static List<String> listing(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted().toList()) {
        out.add(
            dir.relativize(p)
                + " "
                + (Files.isRegularFile(p) ? Files.size(p) : -1)
                + " "
                + Files.getLastModifiedTime(p).toMillis());
      }
    }
    return out;
  }
}

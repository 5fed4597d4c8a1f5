package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.data.FashionMnist;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The README's Java quick start, as a user would run it: a separate Maven project (in {@code
 * target/consumer}) with the README's Maven dependency and the README's Java file pasted verbatim,
 * built offline against this build's artifacts, which the pom installs into a private local
 * repository (with the shared one as a read-only tail for third-party artifacts); then run.
 */
class ReadmeQuickStartIT {
  private static final Path PROJECT = Path.of("target", "consumer").toAbsolutePath();

  /** Artifacts that are the command line's or the build's, never the library user's. */
  private static final List<String> TOOLS =
      List.of("junit", "picocli", "progressbar", "jline", "xchart", "pdfbox", "fontbox");

  @Test
  void quickStartCompilesAndRunsInAConsumerProject() throws Exception {
    Assumptions.assumeTrue(
        FashionMnist.isPresent(FashionMnist.DEFAULT_DIR), "Fashion-MNIST is not installed");
    String readme = Files.readString(Path.of("..", "README.md"));
    String dependency = block(readme, "## Use it from Maven or Gradle", "xml");
    String source = block(readme, "## Java quick start", "java");
    Matcher publicClass = Pattern.compile("public class (\\w+)").matcher(source);
    assertTrue(publicClass.find(), "the quick start declares no public class");
    String mainClass = publicClass.group(1);

    deleteRecursively(PROJECT);
    Path sources = Files.createDirectories(PROJECT.resolve("src/main/java"));
    Files.writeString(PROJECT.resolve("pom.xml"), pom(dependency));
    Files.writeString(sources.resolve(mainClass + ".java"), source);

    String dependencyPlugin =
        "org.apache.maven.plugins:maven-dependency-plugin:"
            + System.getProperty("dependency-plugin.version");
    Path tree = PROJECT.resolve("dependency-tree.txt");
    Path classpath = PROJECT.resolve("classpath.txt");
    int built =
        run(
            "maven",
            Path.of("..", "mvnw").toAbsolutePath().toString(),
            "-B",
            "-q",
            "-o",
            "-Dmaven.repo.local=" + System.getProperty("consumer.repository"),
            "-Dmaven.repo.local.tail=" + System.getProperty("consumer.repositoryTail"),
            "compile",
            dependencyPlugin + ":tree",
            "-DoutputFile=" + tree,
            dependencyPlugin + ":build-classpath",
            "-Dmdep.includeScope=runtime",
            "-Dmdep.outputFile=" + classpath);
    assertEquals(
        0,
        built,
        Files.readString(PROJECT.resolve("maven.out"))
            + Files.readString(PROJECT.resolve("maven.err")));

    String dependencies = Files.readString(tree);
    for (String tool : TOOLS) {
      assertTrue(!dependencies.contains(tool), tool + " reaches a library user:\n" + dependencies);
    }
    assertTrue(
        dependencies.contains("org.tensorflow:tensorflow-core-native:jar:linux-x86_64:"),
        "no TensorFlow natives:\n" + dependencies);

    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String path =
        PROJECT.resolve("target/classes") + File.pathSeparator + Files.readString(classpath);
    // The quick start exports into a new temporary directory: keep it inside the project.
    Path tmp = Files.createDirectories(PROJECT.resolve("tmp"));
    int status = run("quickstart", java, "-Djava.io.tmpdir=" + tmp, "-cp", path.strip(), mainClass);
    String out = Files.readString(PROJECT.resolve("quickstart.out"));
    assertEquals(0, status, out + Files.readString(PROJECT.resolve("quickstart.err")));
    Matcher average = Pattern.compile("average accuracy (\\d\\.\\d+)").matcher(out);
    assertTrue(average.find(), "no accuracy matrix printed:\n" + out);
    assertTrue(Double.parseDouble(average.group(1)) > 0.8, out);
    assertTrue(out.contains("reloaded: task 0 accuracy") && out.contains("probabilities ["), out);
    // What a library user sees on stderr, for the record: TensorFlow's native log lines among it.
    System.out.printf(
        "quick start stderr: %d lines%n",
        Files.readAllLines(PROJECT.resolve("quickstart.err")).size());
  }

  /** The first fenced block in {@code language} after the heading line {@code heading}. */
  static String block(String markdown, String heading, String language) {
    int section = markdown.indexOf("\n" + heading + "\n");
    assertTrue(section >= 0, "README has no heading " + heading);
    String fence = "```" + language + "\n";
    int start = markdown.indexOf(fence, section);
    assertTrue(start >= 0, "no " + language + " block under " + heading);
    start += fence.length();
    return markdown.substring(start, markdown.indexOf("```\n", start));
  }

  /** A user's minimal pom: the README's dependency, Java 17, the plugins this build uses. */
  private static String pom(String dependency) {
    return """
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>com.example</groupId>
          <artifactId>metaplastic-consumer</artifactId>
          <version>1.0</version>
          <properties>
            <maven.compiler.release>17</maven.compiler.release>
            <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
          </properties>
          <dependencies>
        %s  </dependencies>
          <build>
            <plugins>
              <plugin>
                <artifactId>maven-resources-plugin</artifactId>
                <version>%s</version>
              </plugin>
              <plugin>
                <artifactId>maven-compiler-plugin</artifactId>
                <version>%s</version>
              </plugin>
            </plugins>
          </build>
        </project>
        """
        .formatted(
            dependency,
            System.getProperty("resources-plugin.version"),
            System.getProperty("compiler-plugin.version"));
  }

  /** Runs a command in the consumer project, its output in {@code NAME.out} and {@code .err}. */
  private static int run(String name, String... command) throws Exception {
    Process process =
        new ProcessBuilder(command)
            .directory(PROJECT.toFile())
            .redirectOutput(PROJECT.resolve(name + ".out").toFile())
            .redirectError(PROJECT.resolve(name + ".err").toFile())
            .start();
    if (!process.waitFor(15, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError(name + " did not finish in 15 minutes");
    }
    return process.exitValue();
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
